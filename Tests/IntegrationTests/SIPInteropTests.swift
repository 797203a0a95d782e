import Foundation
import Testing
import Timebase
import Wire

extension ProcessGroupTests {
    /// sip-sig against real SIP peers on loopback: SIPp scenarios written for this project and headless baresip.
    /// Each test asserts on the messages exchanged (SIPp's message trace, its scenario checks) and on our events.
    @Suite(.serialized) struct SIPInteropTests {
        static func flags(_ port: Int, autoAnswer: Bool) -> [String] {
            ["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"]
                + (autoAnswer ? ["--auto-answer"] : [])
        }

        /// An instance and a headless baresip answering calls on the next port block; `body` gets the instance,
        /// baresip's SIP URI and the path of its log once baresip is ready.
        static func withAnsweringBaresip(_ body: (TestInstance, String, String) async throws -> Void) async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: false))
                let logPath = instance.root + "/baresip.log"
                let ready = instance.root + "/baresip.ready"
                try await withPeer({ try .baresip(["--mode", "answer", "--port", String(port + 20), "--log", logPath, "--ready-file", ready]) }) { _ in
                    try #require(await eventually(timeout: .seconds(10)) { FileManager.default.fileExists(atPath: ready) }, "baresip not ready")
                    try await body(instance, "sip:alice@127.0.0.1:\(port + 20)", logPath)
                }
            }
        }

        /// An instance and a SIPp UAS scenario on the next port block: runs `sipc` with the arguments `command` builds
        /// from SIPp's port, waits for SIPp to finish (its scenario checks must pass), then hands both to `check`.
        static func againstSippUAS(_ scenario: String, sippExtra: [String] = [], command: (Int) -> [String],
                                   check: (PeerProcess, TestInstance.Run, Int) async throws -> Void) async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: false))
                try await withPeer({ try .sipp(scenario, port: port + 2, extra: sippExtra) }) { sipp in
                    #expect(await PeerProcess.waitForUDP(port + 2))
                    let run = try instance.sipc(command(port + 2))
                    #expect(await sipp.exitStatus() == 0, "SIPp's scenario \(scenario) failed")
                    try await check(sipp, run, port + 2)
                }
            }
        }

        /// A peer that rings and then vanishes (its CANCEL goes unanswered): the call ends 64*T1 after our CANCEL
        /// (RFC 3261 §9.1) instead of ringing forever. The From of that call is given per call, with no account.
        @Test func aPeerThatNeverAnswersOurCancelDoesNotRingForever() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: false) + ["--set", "sip.t1_ms=40"])
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                try await withPeer({ try .sipp("uas_ring_ignore_cancel.xml", port: port + 2) }) { sipp in
                    #expect(await PeerProcess.waitForUDP(port + 2))
                    let placed = try await instance.handle.request("call", args: ["to": .string("sip:ghost@127.0.0.1:\(port + 2)"),
                                                                                  "from": "sip:carol@example.org"], timeout: .seconds(10))
                    let call = try #require(placed["call"]?.stringValue)
                    #expect(await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "ringing" } != nil)
                    let cancelledAt = MonotonicClock.now()
                    _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
                    let ended = await events.wait(timeout: .seconds(8)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
                    #expect(ended?.data["code"]?.intValue == 408, "\(ended?.data ?? [:])")
                    let after = MonotonicClock.now() - cancelledAt
                    #expect(after >= .milliseconds(64 * 40 - 100) && after < .seconds(6), "ended \(after) after the CANCEL")
                    #expect(await sipp.exitStatus() == 0, "SIPp saw the From and the CANCEL")
                }
            }
        }

        /// Answer slots: with auto-answer, orch keeps port pairs ready on the worker and sig answers each INVITE at once
        /// from one (`call.incoming` says `answered`); each slot used is replaced, and the calls' media takes the
        /// slots' ports. Twelve calls, more than the eight slots kept (slots take at most a quarter of the worker's
        /// 50 port pairs here).
        @Test func autoAnswerUsesAnswerSlotsAndRefillsThem() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 100)-\(port + 199)",
                                           "--rtp-workers", "1", "--auto-answer"])
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                let slots = { (try? await instance.status()).flatMap { instance.component("rtp-1", in: $0)?.stats?["answer_slots"]?.intValue } ?? 0 }
                #expect(await eventually { await slots() == 8 }, "orch holds 8 slots on the worker")
                try await withPeer({ try .sipp("uac_call_bye.xml", port: port + 2, target: "127.0.0.1:\(port)", extra: ["-m", "12", "-r", "20"]) }) { sipp in
                    #expect(await sipp.exitStatus() == 0, "SIPp reported a failed call")
                }
                let incoming = await events.waitAll(count: 12, timeout: .seconds(10)) { $0.type == "call.incoming" }
                #expect(incoming.count == 12)
                let answered = incoming.compactMap { $0.data["answered"] }
                #expect(answered.count == 12, "every call was answered from a slot: \(answered.count)")
                #expect(Set(answered.compactMap { $0["slot"]?.stringValue }).count == answered.count, "no slot was used twice")
                #expect(answered.allSatisfy { (port + 100...port + 199).contains($0["port"]?.intValue ?? 0) })
                // Each call's media ran on its slot's port pair, and nothing of the calls is left; the slots are back to 8.
                let quality = await events.waitAll(count: 12, timeout: .seconds(10)) { $0.type == "call.quality" }
                #expect(quality.count == 12 && quality.allSatisfy { !($0.data["call"]?.stringValue ?? "slot-").hasPrefix("slot-") })
                #expect(await eventually {
                    let s = try? await instance.status()
                    let held = await slots()
                    return s.flatMap { instance.component("rtp-1", in: $0)?.stats?["sessions"]?.intValue } == 0 && held == 8
                })
            }
        }

        @Test func sippCallsUsAndHangsUp() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: true))
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                try await withPeer({ try .sipp("uac_call_bye.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { sipp in
                    #expect(await sipp.exitStatus() == 0, "SIPp reported a failed call")
                    let log = sipp.messages
                    // Auto-answer: sig answers at once from an answer slot (a port pair orch holds on a worker), so the
                    // 200 OK comes with no 100 or 180 before it (RFC 3261 §8.2.6.1).
                    #expect(log.contains("SIP/2.0 200 OK") && !log.contains("SIP/2.0 180 Ringing"))
                    let answer = log.range(of: "SIP/2.0 200 OK").map { String(log[$0.upperBound...]) } ?? ""
                    let mediaPort = answer.firstMatch(of: /m=audio (\d+)/).flatMap { Int($0.1) } ?? 0
                    #expect((port + 220...port + 249).contains(mediaPort), "the port orch allocated, in rtp.ports: \(mediaPort)")
                    #expect(log.contains("a=rtpmap:0 PCMU/8000"))
                }
                let connected = await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" }
                #expect(connected?.data["codec"]?.stringValue == "PCMU")
                let ended = await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
                #expect(ended?.data["reason"]?.stringValue == "remote hangup")
                // The media port is released with the call.
                #expect(await eventually { (try? await instance.handle.request("calls"))?["calls"]?.arrayValue?.isEmpty == true })
            }
        }

        @Test func sippCancelsBeforeAnswerAndGets487() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: false))
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                try await withPeer({ try .sipp("uac_cancel.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { sipp in
                    #expect(await sipp.exitStatus() == 0)
                    let log = sipp.messages
                    #expect(log.contains("CANCEL sip:") && log.contains("SIP/2.0 487 Request Terminated"))
                }
                #expect(await events.wait { $0.type == "call.incoming" } != nil)
                let ended = await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
                #expect(ended?.data["code"]?.intValue == 487)
            }
        }

        @Test func incomingCallRejectedWith486() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: false))
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                try await withPeer({ try .sipp("uac_reject_486.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { sipp in
                    let incoming = try #require(await events.wait { $0.type == "call.incoming" })
                    let call = try #require(incoming.data["call"]?.stringValue)
                    let run = try instance.sipc(["reject", call, "--code", "486"])
                    #expect(run.status == 0, "\(run.stderr)")
                    #expect(await sipp.exitStatus() == 0)
                    #expect(sipp.messages.contains("SIP/2.0 486 Busy Here"))
                }
            }
        }

        @Test func reInviteToSendonlyIsAnsweredRecvonly() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: true))
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                try await withPeer({ try .sipp("uac_reinvite_sendonly.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { sipp in
                    #expect(await sipp.exitStatus() == 0)
                    #expect(sipp.messages.contains("a=recvonly"))
                }
                let held = await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "remote-held" }
                #expect(held?.data["remote_media"]?["direction"]?.stringValue == "recvonly")
                // The media worker applied the update in place: same session, now receiving only.
                let updated = await events.wait { $0.type == "media.updated" }
                #expect(updated?.data["direction"]?.stringValue == "recvonly")
                #expect(events.all.filter { $0.type == "media.started" }.count == 1)
            }
        }

        @Test func weCallSippAndHangUp() async throws {
            try await Self.againstSippUAS("uas_answer.xml", command: { ["call", "sip:service@127.0.0.1:\($0)", "--duration", "0.3", "--json"] }) { sipp, run, sippPort in
                #expect(run.status == 0, "\(run.stderr)")
                let result = try JSONValue.decode(Array(run.stdout.utf8))
                #expect(result["result"]?.stringValue == "completed")
                #expect(result["sip_status"]?.intValue == 200 && result["codec"]?.stringValue == "PCMU")
                let log = sipp.messages
                #expect(log.contains("INVITE sip:service@127.0.0.1:\(sippPort) SIP/2.0") && log.contains("ACK sip:"))
                #expect(log.contains("BYE sip:"))
            }
        }

        @Test func weAnswerADigestChallengeOnInvite() async throws {
            try await Self.againstSippUAS("uas_auth_invite.xml", sippExtra: ["-key", "auth_user", "alice", "-key", "auth_pass", "secret"],
                                          command: { ["call", "sip:service@127.0.0.1:\($0)", "--duration", "0.3", "--auth-user", "alice",
                                                      "--password", "secret", "--json"] }) { sipp, run, _ in
                #expect(run.status == 0, "\(run.stderr)")
                let log = sipp.messages
                #expect(log.contains("SIP/2.0 401 Unauthorized") && log.contains("Authorization: Digest"))
                #expect(log.contains("CSeq: 2 INVITE"))
            }
        }

        @Test func registerWithDigestRefreshAndUnregister() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: false))
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                try await withPeer({ try .sipp("uas_registrar.xml", port: port + 2, extra: ["-key", "auth_user", "alice", "-key", "auth_pass", "secret"]) }) { sipp in
                    #expect(await PeerProcess.waitForUDP(port + 2))
                    let aor = "sip:alice@127.0.0.1:\(port + 2)"
                    let run = try instance.sipc(["register", "--aor", aor, "--password", "secret", "--expires", "4"])
                    #expect(run.status == 0, "\(run.stderr)")
                    #expect(run.stdout.contains("registered \(aor)"))
                    // The registrar grants 4 s: a refresh must follow before it runs out.
                    let refreshed = await eventually(timeout: .seconds(8)) {
                        events.all.filter { $0.type == "registration.state" && $0.data["state"]?.stringValue == "registered" }.count >= 2
                    }
                    #expect(refreshed)
                    let status = try await instance.status()
                    #expect(status.registrations.first?.state == .registered)
                    let un = try instance.sipc(["unregister", "--aor", aor])
                    #expect(un.status == 0, "\(un.stderr)")
                    #expect(await sipp.exitStatus() == 0)
                    let log = sipp.messages
                    #expect(log.contains("Expires: 0") || log.contains("expires=0"))
                    #expect(log.components(separatedBy: "REGISTER sip:").count - 1 >= 4)  // initial, with auth, refresh, unregister
                }
            }
        }

        @Test func baresipCallsUsAndHangsUp() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: true))
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                let logPath = instance.root + "/baresip.log"
                try await withPeer({ try .baresip(["--mode", "dial", "--port", String(port + 20), "--dial", "sip:bob@127.0.0.1:\(port)",
                                                   "--hangup-after", "1", "--quit-after-call", "--log", logPath]) }) { baresip in
                    let connected = await events.wait(timeout: .seconds(15)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" }
                    #expect(connected != nil)
                    if connected == nil {
                        print("--- baresip helper ---\n\(baresip.output)\n--- baresip log ---\n\((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
                        print("--- sig.log ---\n\((try? String(contentsOfFile: instance.runDirectory.path + "/sig.log", encoding: .utf8))?.suffix(3000) ?? "")")
                    }
                    let ended = await events.wait(timeout: .seconds(15)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
                    #expect(ended?.data["reason"]?.stringValue == "remote hangup")
                    _ = await baresip.exitStatus(timeout: .seconds(15))
                    let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                    #expect(log.contains("SIP/2.0 200 OK") && log.contains("BYE sip:"))
                }
            }
        }

        @Test func weCallBaresip() async throws {
            try await Self.withAnsweringBaresip { instance, uri, logPath in
                let run = try instance.sipc(["call", uri, "--duration", "0.5", "--json"])
                #expect(run.status == 0, "\(run.stderr)")
                let result = try JSONValue.decode(Array(run.stdout.utf8))
                #expect(result["result"]?.stringValue == "completed")
                #expect(["PCMU", "PCMA"].contains(result["codec"]?.stringValue ?? ""))
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                #expect(log.contains("INVITE \(uri)") && log.contains("BYE sip:"))
            }
        }

        @Test func weFollowA302Redirect() async throws {
            try await Self.againstSippUAS("uas_redirect.xml", command: { ["call", "sip:service@127.0.0.1:\($0)", "--duration", "0.3", "--json"] }) { sipp, run, sippPort in
                #expect(run.status == 0, "\(run.stderr)")
                let log = sipp.messages
                #expect(log.contains("SIP/2.0 302 Moved Temporarily") && log.contains("INVITE sip:moved@127.0.0.1:\(sippPort) SIP/2.0"))
            }
        }

        @Test func sippCallsUsOverTCP() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: true))
                try await withPeer({ try .sipp("uac_call_bye.xml", port: port + 2, target: "127.0.0.1:\(port)", extra: ["-t", "t1"]) }) { sipp in
                    #expect(await sipp.exitStatus() == 0)
                    let log = sipp.messages
                    #expect(log.contains("TCP message received") && log.contains("SIP/2.0 200 OK"))
                    #expect(log.contains(";transport=tcp>") || log.contains(";transport=TCP>"))  // our Contact says TCP
                }
            }
        }

        @Test func twoAccountsOneThroughAnOutboundProxyUnregisterOnShutdown() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(Self.flags(port, autoAnswer: false))
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                try await withPeer({ try .sipp("uas_registrar.xml", port: port + 2,
                                               extra: ["-key", "auth_user", "alice", "-key", "auth_pass", "secret", "-m", "2"]) }) { sipp in
                    #expect(await PeerProcess.waitForUDP(port + 2))
                    let direct = try instance.sipc(["register", "--aor", "sip:alice@127.0.0.1:\(port + 2)", "--password", "secret", "--expires", "4"])
                    #expect(direct.status == 0, "\(direct.stderr)")
                    let proxied = try instance.sipc(["register", "--aor", "sip:bob@example.com", "--auth-user", "alice", "--password", "secret",
                                                     "--expires", "4", "--outbound-proxy", "sip:127.0.0.1:\(port + 2)"])
                    #expect(proxied.status == 0, "\(proxied.stderr)")
                    let refreshed = await eventually(timeout: .seconds(8)) {
                        let registered = events.all.filter { $0.type == "registration.state" && $0.data["state"]?.stringValue == "registered" }
                        return Set(registered.compactMap { $0.data["aor"]?.stringValue }).count == 2 && registered.count >= 4
                    }
                    #expect(refreshed)
                    // Stopping the instance unregisters both (Expires: 0) before sig exits.
                    #expect(try instance.sipc(["down"]).status == 0)
                    #expect(await sipp.exitStatus() == 0)
                    let log = sipp.messages
                    #expect(log.contains("REGISTER sip:example.com SIP/2.0") && log.contains("Route: <sip:127.0.0.1:\(port + 2);lr>"))
                }
            }
        }

        @Test func aWrongPasswordFailsWithAReasonNotALoop() async throws {
            try await Self.againstSippUAS("uas_registrar_wrong_password.xml",
                                          command: { ["register", "--aor", "sip:alice@127.0.0.1:\($0)", "--password", "wrong"] }) { sipp, run, _ in
                #expect(run.status == 1)
                #expect(run.stderr.contains("401 after credentials: wrong password?"), "\(run.stderr)")
                #expect(sipp.messages.components(separatedBy: "REGISTER sip:").count - 1 == 2)  // gave up, no loop
            }
        }

        @Test func baresipsToneReachesOurWorkerAndOurStatsMatchWhatItSent() async throws {
            try await Self.withAnsweringBaresip { instance, uri, _ in
                _ = try await instance.handle.request("call", args: ["to": .string(uri)], timeout: .seconds(10))
                var call: JSONValue?
                #expect(await eventually(timeout: .seconds(10)) {
                    call = try? await instance.handle.request("calls")["calls"]?.arrayValue?.first { $0["state"]?.stringValue == "connected" }
                    return call != nil
                })
                let callID = try #require(call?["call_id"]?.stringValue)
                let tap = try FrameTap(instance, stream: try #require(call?["streams"]?["playback"]?.intValue))
                defer { tap.stop() }
                // baresip's source is a 440 Hz sine (ausine): it must come out of our decoder as 440 Hz.
                #expect(await eventually(timeout: .seconds(8)) { tap.voicedSamples.count >= 16000 })
                #expect(Tone.dominant(Array(tap.voicedSamples.suffix(8000)), among: [300, 440, 1000]) == 440)
                let stats = try await instance.handle.request("call_stats", args: ["call": .string(callID)])
                let received = stats["packets_received"]?.intValue ?? 0
                #expect(received >= 100 && stats["loss_pct"]?.doubleValue == 0 && stats["malformed"]?.intValue == 0)
                #expect((stats["jitter_ms"]?.doubleValue ?? 99) < 5)
                _ = try await instance.handle.request("hangup", args: ["all": true])
            }
        }
    }
}
