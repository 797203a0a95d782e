import Foundation
import SIPClient
import Testing

extension SIPClientTests {
    /// `build()` refuses what cannot work, before any process starts, and says how to fix it.
    @Suite struct BuilderValidationTests {
        @Test(arguments: ["alice@example.com", "sip:example.com", "sip:alice@", "http://alice@example.com", "sip:alice@exa mple.com",
                          "sip:alice@example.com:99999"])
        func badIdentityIsRefusedWithTheFix(identity: String) {
            #expect {
                _ = try SIPClientBuilder(identity: identity).audioBackend(.null).build()
            } throws: { error in
                guard let error = error as? SIPClientError, error.kind == .invalidIdentity else { return false }
                let text = "\(error)"
                return error.aor == identity && text.contains("Fix:") && text.contains("sip:alice@example.com")
            }
        }

        @Test func missingIdentitySaysWhichCallSetsIt() {
            #expect {
                _ = try SIPClientBuilder().audioBackend(.null).build()
            } throws: { "\($0)".contains(".identity(") }
        }

        @Test func emptyOrRepeatedCodecListIsRefusedWithTheFix() {
            for codecs: [Codec] in [[], [.pcmu, .pcma, .pcmu]] {
                #expect {
                    _ = try SIPClientBuilder(identity: "sip:alice@example.com").audioBackend(.null).codecs(codecs).build()
                } throws: { error in
                    guard let error = error as? SIPClientError, error.kind == .invalidConfiguration else { return false }
                    return error.setting == "codecs" && error.fix?.contains("[.p") == true && "\(error)".contains("Fix:")
                }
            }
        }

        @Test func settingsAreCheckedByTheConfigurationLoaderWithItsFix() {
            let base = SIPClientBuilder(identity: "sip:alice@example.com").audioBackend(.null)
            #expect { _ = try base.sipListen("localhost").build() } throws: { "\($0)".contains("--sip-listen") && "\($0)".contains("Fix:") }
            #expect { _ = try base.set("rtp.wokers", "2").build() } throws: { "\($0)".contains("did you mean 'rtp.workers'") }
            #expect { _ = try base.rtpPorts(80...90).build() } throws: { "\($0)".contains("LOW-HIGH") }
            #expect { _ = try base.jitterBuffer(minMilliseconds: 5, maxMilliseconds: 300).build() } throws: {
                "\($0)".contains("rtp.jitter_min_ms") && "\($0)".contains("10 to 200")
            }
        }

        @Test func inconsistentSettingsAreRefusedWithTheFix() {
            let base = SIPClientBuilder(identity: "sip:alice@example.com").audioBackend(.null)
            let cases: [(SIPClientBuilder, String)] = [
                (base.jitterBuffer(minMilliseconds: 300, maxMilliseconds: 100), "swap them"),
                (base.credentials(user: "alice", password: ""), "password"),
                (base.credentials(user: "al ice", password: "pw"), "user name alone"),
                (base.outboundProxy("sip:proxy.example.com"), "add credentials"),
                (base.transport(.tcp), "add credentials"),
                (base.credentials(user: "alice", password: "pw").registrar("pbx.example.com"), "sip:host"),
                (SIPClientBuilder(identity: "sip:alice@0.0.0.0").audioBackend(.null).credentials(user: "a", password: "pw"), "registrar("),
                (base.captureDevice("plughw:1"), ".alsa(device:"),
                (base.audioBackend(.file(input: "/nonexistent/in.wav", output: nil)), "readable"),
                (base.instance("bad/name"), "'alice'"),
                (base.runtimeDirectory("relative/dir"), "absolute"),
                (base.runtimeDirectory("/" + String(repeating: "x", count: 100)), "shorter directory"),
            ]
            for (builder, fix) in cases {
                #expect {
                    _ = try builder.build()
                } throws: { error in
                    guard let error = error as? SIPClientError, error.kind == .invalidConfiguration else { return false }
                    return error.fix?.contains(fix) == true
                }
            }
        }

        @Test func builderSettingsBecomeTheOrchestratorsArguments() throws {
            let c = try SIPClientBuilder(identity: "sip:alice@example.com")
                .instance("t1").sipListen("127.0.0.1:5070").rtpPorts(30000...30099).rtpWorkers(1)
                .audioBackend(.null).codecs([.pcma, .pcmu]).jitterBuffer(minMilliseconds: 40, maxMilliseconds: 400)
                .autoAnswer(true).echoCancellation(false).set("audio.mute", "true")
                .build()
            let args = c.orchArguments
            func pair(_ flag: String, _ value: String) -> Bool {
                zip(args, args.dropFirst()).contains { $0 == flag && $1 == value }
            }
            #expect(pair("--sip-listen", "127.0.0.1:5070") && pair("--rtp-ports", "30000-30099") && pair("--rtp-workers", "1"))
            #expect(pair("--audio", "null") && pair("--echo-cancellation", "false") && args.contains("--auto-answer"))
            #expect(pair("--set", "sip.codecs=PCMA,PCMU"))
            #expect(pair("--set", "rtp.jitter_min_ms=40") && pair("--set", "rtp.jitter_max_ms=400"))
            #expect(pair("--set", "audio.mute=true"))
            #expect(c.instanceName == "t1" && c.account == nil && c.identity == "sip:alice@example.com")
        }

        @Test func credentialsMakeAnAccountForTheIdentity() throws {
            let c = try SIPClientBuilder(identity: "sip:alice@example.com").audioBackend(.null)
                .credentials(user: "alice", password: "secret").registrar("sip:pbx.example.com:5080").transport(.tcp).build()
            #expect(c.account == AccountSettings(aor: "sip:alice@example.com", user: "alice", password: "secret",
                                                 registrar: "sip:pbx.example.com:5080", transport: .tcp))
        }

        @Test func automaticAudioIsLeftToSipAudio() throws {
            let c = try SIPClientBuilder(identity: "sip:alice@example.com").captureDevice("plughw:1").build()
            let args = c.orchArguments
            #expect(zip(args, args.dropFirst()).contains { $0 == "--audio" && $1 == "auto" })
            #expect(zip(args, args.dropFirst()).contains { $0 == "--set" && $1 == "audio.capture_device=plughw:1" })
        }

        @Test func presetsCarryTheirAudioChoices() throws {
            let desk = try SIPClientBuilder.desktopSoftphone.identity("sip:alice@example.com").build().orchArguments
            #expect(desk.contains("alsa") && desk.contains("--gain-control") && !desk.contains("--auto-answer"))
            #expect(zip(desk, desk.dropFirst()).contains { $0 == "--echo-cancellation" && $1 == "true" })
            let agent = try SIPClientBuilder.headlessAgent.identity("sip:agent@example.com").build().orchArguments
            #expect(agent.contains("--auto-answer") && zip(agent, agent.dropFirst()).contains { $0 == "--audio" && $1 == "null" })
            #expect(zip(agent, agent.dropFirst()).contains { $0 == "--echo-cancellation" && $1 == "false" })
        }

        @Test func callOptionsAreCheckedLikeSipSigChecksThem() throws {
            try CallOptions(codecs: [.pcma], sdpAttributes: ["a=x-foo:bar", "x-flag"]).validate()
            let bad: [CallOptions] = [
                CallOptions(sdpAttributes: ["a=x foo:bar"]),
                CallOptions(sdpAttributes: ["a=x-foo:bar\r\na=evil"]),
                CallOptions(sdpAttributes: Array(repeating: "x-a", count: 11)),
                CallOptions(sdpAttributes: ["x-long:" + String(repeating: "v", count: 200)]),
            ]
            for options in bad {
                #expect { try options.validate() } throws: { error in
                    guard (error as? SIPClientError)?.kind == .invalidSDPAttribute else { return false }
                    return "\(error)".contains("NAME[:VALUE]")
                }
            }
            #expect { try CallOptions(codecs: []).validate() } throws: { "\($0)".contains("Fix:") }
        }
    }
}
