import Foundation
import Testing
import Wire

/// Call transfer (RFC 3515 REFER, RFC 3891 Replaces) across real processes, in the three roles: transferor (we send
/// REFER), transferee (we follow a peer's REFER) and transfer target (a new INVITE replaces one of our calls).
extension ProcessGroupTests.CallControlTests {
    static func connected(_ events: EventRecorder, after seq: UInt64 = 0, timeout: Duration = .seconds(10)) async -> Event? {
        await events.wait(timeout: timeout) { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" && $0.seq > seq }
    }

    @Test func weTransferASippCallBlindAndHangUpWhenItSucceeded() async throws {
        try await withSIPInstance(autoAnswer: false) { instance, events, port in
            try await withPeer({ try .sipp("uas_refer_blind.xml", port: port + 2) }) { sipp in
                #expect(await PeerProcess.waitForUDP(port + 2))
                let placed = try await instance.handle.request("call", args: ["to": .string("sip:service@127.0.0.1:\(port + 2)")], timeout: .seconds(10))
                let call = try #require(placed["call"]?.stringValue)
                try #require(await Self.connected(events) != nil, "the call did not connect")
                let run = try instance.sipc(["transfer", call, "sip:carol@127.0.0.1:5999", "--json"])
                #expect(run.status == 0 && run.stdout.contains("\"accepted\":true"), "\(run.stdout) \(run.stderr)")
                let final = await events.wait { $0.type == "call.transfer" && $0.data["final"]?.boolValue == true }
                #expect(final?.data["code"]?.intValue == 200 && final?.data["success"]?.boolValue == true)
                let ended = await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
                #expect(ended?.data["reason"]?.stringValue == "transferred")
                #expect(await sipp.exitStatus() == 0, "SIPp's scenario failed:\n\(sipp.file("errors.log").suffix(2000))")
                #expect(sipp.messages.contains("Refer-To: <sip:carol@127.0.0.1:5999>"))
            }
        }
    }

    @Test func aSippReferMakesUsCallTheTargetAndNotifyTheOutcome() async throws {
        try await withSIPInstance(autoAnswer: true) { instance, events, port in
            // carol: a SIPp that answers the call we place for the REFER (and waits for our BYE). Its media ports (+16, video +18)
            // stay clear of the transferor's (+12, +14).
            try await withPeer({ try .sipp("uas_answer.xml", port: port + 6) }) { carol in
                #expect(await PeerProcess.waitForUDP(port + 6))
                try await withPeer({ try .sipp("uac_refer_us.xml", port: port + 2, target: "127.0.0.1:\(port)",
                                               extra: ["-key", "carol_port", String(port + 6)]) }) { transferor in
                    #expect(await transferor.exitStatus() == 0, "transferor scenario failed:\n\(transferor.file("errors.log").suffix(2000))")
                }
                let transferred = await events.wait { $0.type == "call.transferred" }
                let newCall = try #require(transferred?.data["new_call"]?.stringValue)
                #expect(transferred?.data["target"]?.stringValue == "sip:carol@127.0.0.1:\(port + 6)")
                let calls = try await instance.handle.request("calls")["calls"]?.arrayValue ?? []
                #expect(calls.first { $0["call_id"]?.stringValue == newCall }?["state"]?.stringValue == "connected", "\(calls)")
                _ = try await instance.handle.request("hangup", args: ["call": .string(newCall)])
                #expect(await carol.exitStatus() == 0, "carol's scenario failed:\n\(carol.file("errors.log").suffix(2000))")
            }
        }
    }

    /// A talks to B and to C; A transfers B to C attended: B calls C with Replaces naming C's call with A, C answers it
    /// in place of that call; A's two calls end. B and C stay connected to each other.
    @Test func attendedTransferAcrossThreeInstances() async throws {
        try await withThreeInstances(autoAnswer: (false, true, true)) { a, b, c, ports in
            let (portB, portC) = (ports.b, ports.c)
            let aEvents = try await EventRecorder(a), cEvents = try await EventRecorder(c)
            defer { aEvents.stop(); cEvents.stop() }
            let toB = try #require(try await a.handle.request("call", args: ["to": .string("sip:bob@127.0.0.1:\(portB)")], timeout: .seconds(10))["call"]?.stringValue)
            let toC = try #require(try await a.handle.request("call", args: ["to": .string("sip:carol@127.0.0.1:\(portC)")], timeout: .seconds(10))["call"]?.stringValue)
            #expect(try await eventually(timeout: .seconds(10)) {
                let list = try await a.handle.request("calls")["calls"]?.arrayValue ?? []
                return list.filter { $0["state"]?.stringValue == "connected" }.count == 2
            })
            _ = try await a.handle.request("hold", args: ["call": .string(toB)], timeout: .seconds(10))
            let run = try a.sipc(["transfer", toB, "--attended", toC, "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            let final = await aEvents.wait(timeout: .seconds(10)) { $0.type == "call.transfer" && $0.data["final"]?.boolValue == true }
            #expect(final?.data["success"]?.boolValue == true, "\(String(describing: final?.data))")
            // A has no call left; C's call from A was replaced by B's.
            #expect(try await eventually(timeout: .seconds(10)) { (try await a.handle.request("calls")["calls"]?.arrayValue ?? []).isEmpty })
            let replaced = await cEvents.wait { $0.type == "call.replaced" }
            #expect(replaced != nil)
            var lastSeen = ""
            #expect(try await eventually(timeout: .seconds(10)) {
                let cCalls = try await c.handle.request("calls")["calls"]?.arrayValue ?? []
                let bCalls = try await b.handle.request("calls")["calls"]?.arrayValue ?? []
                lastSeen = "C: \(cCalls) B: \(bCalls)"
                return cCalls.count == 1 && cCalls.first?["state"]?.stringValue == "connected"
                    && bCalls.count == 1 && bCalls.first?["state"]?.stringValue == "connected"
                    && (cCalls.first?["remote"]?.stringValue ?? "").contains(":\(portB)")  // B's call, not A's
            }, "\(lastSeen)")
            _ = try await b.handle.request("hangup", args: ["all": true])
        }
    }

    @Test func weTransferBaresipBlindToAnotherInstance() async throws {
        let portB = TestPorts.base()
        try await ProcessGroupTests.SIPInteropTests.withAnsweringBaresip { a, uri, logPath in
            try await withInstance(root: a.root) { b in
                _ = try await b.up(ProcessGroupTests.MediaFlowTests.flags(portB, autoAnswer: true))
                let aEvents = try await EventRecorder(a)
                defer { aEvents.stop() }
                let call = try #require(try await a.handle.request("call", args: ["to": .string(uri)], timeout: .seconds(10))["call"]?.stringValue)
                try #require(await Self.connected(aEvents) != nil)
                let run = try a.sipc(["transfer", call, "sip:bob@127.0.0.1:\(portB)"])
                #expect(run.status == 0, "\(run.stderr)")
                let final = await aEvents.wait(timeout: .seconds(10)) { $0.type == "call.transfer" && $0.data["final"]?.boolValue == true }
                #expect(final?.data["success"]?.boolValue == true, "\((try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(3000) ?? "")")
                #expect(await aEvents.wait { $0.type == "call.state" && $0.data["reason"]?.stringValue == "transferred" } != nil)
                #expect(try await eventually(timeout: .seconds(10)) {
                    (try await b.handle.request("calls")["calls"]?.arrayValue ?? []).first?["state"]?.stringValue == "connected"
                })
                _ = try await b.handle.request("hangup", args: ["all": true])
            }
        }
    }

    @Test func baresipTransfersUsBlindToAnotherInstance() async throws {
        let port = TestPorts.base(), portB = TestPorts.base()
        try await withInstance { a in
            try await withInstance(root: a.root) { b in
                _ = try await a.up(ProcessGroupTests.SIPInteropTests.flags(port, autoAnswer: true))
                _ = try await b.up(ProcessGroupTests.MediaFlowTests.flags(portB, autoAnswer: true))
                let aEvents = try await EventRecorder(a)
                defer { aEvents.stop() }
                let logPath = a.root + "/baresip.log"
                try await withPeer({ try .baresip(["--mode", "dial", "--port", String(port + 20), "--dial", "sip:alice@127.0.0.1:\(port)",
                                                   "--after-established", "0.5:transfer:sip:bob@127.0.0.1:\(portB)",
                                                   "--quit-after", "8", "--log", logPath]) }) { _ in
                    let transferred = await aEvents.wait(timeout: .seconds(10)) { $0.type == "call.transferred" }
                    #expect(transferred != nil, "\((try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(3000) ?? "")")
                    #expect(try await eventually(timeout: .seconds(10)) {
                        (try await b.handle.request("calls")["calls"]?.arrayValue ?? []).first?["state"]?.stringValue == "connected"
                    })
                    // baresip hangs up the call it transferred once our NOTIFY says 200.
                    let original = transferred?.data["call"]?.stringValue
                    #expect(await aEvents.wait(timeout: .seconds(10)) {
                        $0.type == "call.state" && $0.data["call"]?.stringValue == original && $0.data["state"]?.stringValue == "terminated"
                    } != nil)
                    _ = try await a.handle.request("hangup", args: ["all": true])
                }
            }
        }
    }
}

extension ProcessGroupTests.CallControlTests {
    /// examples/CallCentreAgent answers A's call and, when A presses 0, transfers it to the queue (instance B): A ends up
    /// talking to B, and the agent's call ends by itself.
    @Test func theCallCentreAgentExampleTransfersACallerWhoPresses0() async throws {
        let portA = TestPorts.base(), portAgent = TestPorts.base(), portB = TestPorts.base()
        try await withInstance { a in
            try await withInstance(root: a.root) { b in
                let agentBinary = a.binDir + "/CallCentreAgent"
                try #require(FileManager.default.isExecutableFile(atPath: agentBinary), "build the examples (swift build)")
                _ = try await a.up(ProcessGroupTests.MediaFlowTests.flags(portA, autoAnswer: false))
                _ = try await b.up(ProcessGroupTests.MediaFlowTests.flags(portB, autoAnswer: true))
                let agent = Process()
                agent.executableURL = URL(fileURLWithPath: agentBinary)
                agent.arguments = ["--identity", "sip:agent@127.0.0.1:\(portAgent)", "--listen", "127.0.0.1:\(portAgent)",
                                   "--instance", "agent\(portAgent)", "--transfer-to", "sip:queue@127.0.0.1:\(portB)", "--transfer-after", "60"]
                agent.environment = a.environment
                let log = Pipe()
                agent.standardOutput = log
                agent.standardError = log
                try agent.run()
                defer {
                    if agent.isRunning { kill(agent.processIdentifier, SIGTERM) }
                    agent.waitUntilExit()
                }
                let aEvents = try await EventRecorder(a)
                defer { aEvents.stop() }
                // The agent is ready once its SIP port answers a call; retry the first call until then.
                var call: String?
                #expect(await eventually(timeout: .seconds(30)) {
                    guard let placed = try? await a.handle.request("call", args: ["to": .string("sip:agent@127.0.0.1:\(portAgent)")], timeout: .seconds(5)),
                          let id = placed["call"]?.stringValue else { return false }
                    let up = await aEvents.wait(timeout: .seconds(3)) { $0.type == "call.state" && $0.data["call"]?.stringValue == id && $0.data["state"]?.stringValue == "connected" }
                    if up == nil { _ = try? await a.handle.request("hangup", args: ["call": .string(id)]) } else { call = id }
                    return up != nil
                })
                let toAgent = try #require(call)
                _ = try await a.handle.request("dtmf", args: ["call": .string(toAgent), "digits": "0"])
                // A follows the agent's REFER: a new call to the queue, and the call with the agent ends.
                let transferred = await aEvents.wait(timeout: .seconds(10)) { $0.type == "call.transferred" }
                #expect(transferred?.data["target"]?.stringValue == "sip:queue@127.0.0.1:\(portB)")
                #expect(await aEvents.wait(timeout: .seconds(10)) {
                    $0.type == "call.state" && $0.data["call"]?.stringValue == toAgent && $0.data["state"]?.stringValue == "terminated"
                } != nil)
                #expect(try await eventually(timeout: .seconds(10)) {
                    (try await b.handle.request("calls")["calls"]?.arrayValue ?? []).first?["state"]?.stringValue == "connected"
                })
                _ = try await a.handle.request("hangup", args: ["all": true])
                kill(agent.processIdentifier, SIGTERM)
                agent.waitUntilExit()
                let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(output.contains("caller pressed 0") && output.contains("transfer done"), "\(output)")
            }
        }
    }
}

/// Attended transfer and a failed transfer against SIPp, in every role.
extension ProcessGroupTests.CallControlTests {
    @Test func weTransferASippCallAttendedAndBothOurCallsEnd() async throws {
        try await withSIPInstance(autoAnswer: false) { instance, events, port in
            try await withPeer({ try .sipp("uas_refer_attended.xml", port: port + 2) }) { transferee in
                try await withPeer({ try .sipp("uas_answer.xml", port: port + 6) }) { target in
                    #expect(await PeerProcess.waitForUDP(port + 2))
                    #expect(await PeerProcess.waitForUDP(port + 6))
                    let first = try #require(try await instance.handle.request("call", args: ["to": .string("sip:bob@127.0.0.1:\(port + 2)")], timeout: .seconds(10))["call"]?.stringValue)
                    let second = try #require(try await instance.handle.request("call", args: ["to": .string("sip:carol@127.0.0.1:\(port + 6)")], timeout: .seconds(10))["call"]?.stringValue)
                    #expect(await events.wait { e in e.type == "call.state" && e.data["call"]?.stringValue == second && e.data["state"]?.stringValue == "connected" } != nil)
                    let run = try instance.sipc(["transfer", first, "--attended", second])
                    #expect(run.status == 0, "\(run.stderr)")
                    let final = await events.wait { $0.type == "call.transfer" && $0.data["final"]?.boolValue == true }
                    #expect(final?.data["success"]?.boolValue == true)
                    #expect(await transferee.exitStatus() == 0, "transferee: \(transferee.file("errors.log").suffix(1500))")
                    #expect(await target.exitStatus() == 0, "target: \(target.file("errors.log").suffix(1500))")
                    let secondSIPCallID = (events.all.first { $0.type == "call.state" && $0.data["call"]?.stringValue == second })?.data["sip_call_id"]?.stringValue ?? "?"
                    #expect(transferee.messages.contains("?Replaces=" + secondSIPCallID.replacingOccurrences(of: "@", with: "%40") + "%3Bto-tag%3D"),
                            "the REFER names the second call \(secondSIPCallID)")
                }
            }
        }
    }

    @Test func aTransferWhoseNewCallFailsIsReportedAndTheCallStays() async throws {
        try await withSIPInstance(autoAnswer: false) { instance, events, port in
            try await withPeer({ try .sipp("uas_refer_fails.xml", port: port + 2) }) { sipp in
                #expect(await PeerProcess.waitForUDP(port + 2))
                let call = try #require(try await instance.handle.request("call", args: ["to": .string("sip:bob@127.0.0.1:\(port + 2)")], timeout: .seconds(10))["call"]?.stringValue)
                #expect(await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" } != nil)
                _ = try await instance.handle.request("transfer", args: ["call": .string(call), "target": "sip:carol@127.0.0.1:5999"], timeout: .seconds(10))
                let final = await events.wait { $0.type == "call.transfer" && $0.data["final"]?.boolValue == true }
                #expect(final?.data["success"]?.boolValue == false && final?.data["code"]?.intValue == 486)
                let listed = try await instance.handle.request("calls")["calls"]?.arrayValue?.first
                #expect(listed?["state"]?.stringValue == "connected", "the call stays after a failed transfer")
                _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
                #expect(await sipp.exitStatus() == 0, "\(sipp.file("errors.log").suffix(1500))")
            }
        }
    }

    @Test func aSippAttendedReferMakesUsCallTheTargetWithReplaces() async throws {
        let port = TestPorts.base()
        try await withInstance { instance in
            _ = try await instance.up(ProcessGroupTests.SIPInteropTests.flags(port, autoAnswer: true))
            try await withPeer({ try .sipp("uas_answer_replaces.xml", port: port + 6) }) { carol in
                #expect(await PeerProcess.waitForUDP(port + 6))
                try await withPeer({ try .sipp("uac_refer_us_attended.xml", port: port + 2, target: "127.0.0.1:\(port)",
                                               extra: ["-key", "carol_port", String(port + 6)]) }) { transferor in
                    #expect(await transferor.exitStatus() == 0, "transferor: \(transferor.file("errors.log").suffix(1500))")
                }
                #expect(try await eventually(timeout: .seconds(5)) {
                    (try await instance.handle.request("calls")["calls"]?.arrayValue ?? []).contains { $0["state"]?.stringValue == "connected" }
                })
                _ = try await instance.handle.request("hangup", args: ["all": true])
                #expect(await carol.exitStatus() == 0, "carol (checks Replaces and Referred-By): \(carol.file("errors.log").suffix(1500))")
            }
        }
    }

    @Test func aSippINVITEWithReplacesTakesThePlaceOfOurCall() async throws {
        try await withSIPInstance(autoAnswer: true) { instance, events, port in
            try await withPeer({ try .sipp("uac_wait_bye.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { first in
                let up = await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" && $0.data["signaling"] != nil }
                let dialog = try #require(up?.data["signaling"]?["dialog"])
                let (callID, ours, theirs) = (dialog["call_id"]?.stringValue ?? "", dialog["local_tag"]?.stringValue ?? "", dialog["remote_tag"]?.stringValue ?? "")
                try await withPeer({ try .sipp("uac_replaces.xml", port: port + 6, target: "127.0.0.1:\(port)",
                                               extra: ["-key", "replaces_call_id", callID, "-key", "replaces_to_tag", ours,
                                                       "-key", "replaces_from_tag", theirs]) }) { second in
                    #expect(await second.exitStatus() == 0, "replacing caller: \(second.file("errors.log").suffix(1500))")
                }
                #expect(await first.exitStatus() == 0, "replaced caller (waits for our BYE): \(first.file("errors.log").suffix(1500))")
                let replaced = await events.wait { $0.type == "call.replaced" }
                #expect(replaced?.data["call"]?.stringValue == up?.data["call"]?.stringValue)
            }
        }
    }
}
