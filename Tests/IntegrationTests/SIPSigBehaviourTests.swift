import Foundation
import Synchronization
import SIPCore
import SIPTransport
import Testing
import Wire

extension ProcessGroupTests {
    /// sip-sig in a real process group, probed with hand-written SIP over real sockets: the answers RFC 3261
    /// prescribes, and bad input that is answered or dropped without hurting the process.
    @Suite(.serialized) struct SIPSigBehaviourTests {
        /// A UDP (and TCP) SIP client on an ephemeral port, reading what comes back.
        final class Probe: @unchecked Sendable {
            let layer = SIPTransportLayer(settings: SIPTransportSettings(listenHosts: ["127.0.0.1"], port: 0))
            var local: SIPTransportAddress!
            private final class Inbox: Sendable { let responses = Mutex<[SIPMessage]>([]) }
            private let inbox = Inbox()
            private var collector: Task<Void, Never>?

            init() async throws {
                local = try await layer.start().first
                let stream = layer.inbound, inbox = self.inbox
                // One reader for the probe's whole life: a timed-out wait must not end the stream.
                collector = Task {
                    for await item in stream { if case .message(let m, _, _) = item, m.isResponse { inbox.responses.withLock { $0.append(m) } } }
                }
            }

            func send(_ text: String, to port: Int, transport: SIPTransportKind = .udp) async throws {
                let bytes = Array(text.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: "PORT", with: String(local.port)).utf8)
                try await layer.send(bytes: bytes, to: SIPTransportAddress(transport: transport, host: "127.0.0.1", port: UInt16(port)))
            }

            /// The next response, or nil after `timeout`.
            func response(timeout: Duration = .seconds(3)) async -> SIPMessage? {
                var found: SIPMessage?
                _ = await eventually(timeout: timeout) {
                    found = self.inbox.responses.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                    return found != nil
                }
                return found
            }

            /// Responses until one with a final status (>= 200), or nil.
            func finalResponse(timeout: Duration = .seconds(3)) async -> SIPMessage? {
                while let r = await response(timeout: timeout) {
                    if let code = r.statusCode, code >= 200 { return r }
                }
                return nil
            }

            func close() async {
                collector?.cancel()
                await layer.shutdown()
            }
        }

        static func request(_ method: String, port: Int, callID: String = UUID().uuidString, toTag: String? = nil,
                            cseq: Int = 1, extra: String = "", body: String = "") -> String {
            let to = "<sip:bob@127.0.0.1:\(port)>" + (toTag.map { ";tag=\($0)" } ?? "")
            return """
            \(method) sip:bob@127.0.0.1:\(port) SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:PORT;branch=z9hG4bK\(UUID().uuidString.prefix(12));rport
            Max-Forwards: 70
            From: <sip:probe@127.0.0.1:PORT>;tag=probe1
            To: \(to)
            Call-ID: \(callID)
            CSeq: \(cseq) \(method)
            Contact: <sip:probe@127.0.0.1:PORT>
            \(extra)Content-Length: \(body.utf8.count + body.filter { $0 == "\n" }.count)

            \(body)
            """
        }

        static func sdp(_ formats: String, rtpmaps: String) -> String {
            "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 40000 RTP/AVP \(formats)\n\(rtpmaps)"
        }

        @Test func optionsMethodsAndDialogsAreAnsweredPerRFC3261() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"])
                let probe = try await Probe()
                // OPTIONS: 200 with what we can do (§11.2).
                try await probe.send(Self.request("OPTIONS", port: port), to: port)
                let options = try #require(await probe.finalResponse())
                #expect(options.statusCode == 200)
                #expect(options.firstValue(.allow)?.contains("INVITE") == true && options.firstValue(.accept) == "application/sdp")
                let via = try #require(try options.topVia())
                #expect(via.received == "127.0.0.1" && via.rport == probe.local.port, "Via: \(via)")  // RFC 3581 §4: both filled in
                // An unsupported method: 405 with Allow (§8.2.1).
                try await probe.send(Self.request("MESSAGE", port: port), to: port)
                let message = try #require(await probe.finalResponse())
                #expect(message.statusCode == 405 && message.contains(.allow))
                // BYE for a dialog we do not have: 481 (§12.2.2).
                try await probe.send(Self.request("BYE", port: port, toTag: "nope"), to: port)
                #expect(await probe.finalResponse()?.statusCode == 481)
                // No codec in common: 488 (RFC 3264 §6), before ringing.
                let g729 = Self.sdp("18", rtpmaps: "a=rtpmap:18 G729/8000\n")
                try await probe.send(Self.request("INVITE", port: port, extra: "Content-Type: application/sdp\n", body: g729), to: port)
                let notAcceptable = try #require(await probe.finalResponse())
                #expect(notAcceptable.statusCode == 488)
                #expect(notAcceptable.firstValue("Warning")?.contains("no codec in common") == true)
                // Require with an extension we do not have: 420 with Unsupported (§8.2.2.3).
                try await probe.send(Self.request("OPTIONS", port: port, extra: "Require: 100rel, x-frobnicate\n"), to: port)
                let unsupported = try #require(await probe.finalResponse())
                #expect(unsupported.statusCode == 420 && unsupported.firstValue(.unsupported) == "x-frobnicate")  // 100rel we have (RFC 3262)
                await probe.close()
            }
        }

        @Test func invalidRequestsGet400NamingTheDefectAndGarbageIsCountedNotFatal() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"])
                let sigPID = try await instance.pid(of: "sig")
                let probe = try await Probe()
                // Missing Call-ID: 400 whose reason phrase says so.
                let noCallID = Self.request("OPTIONS", port: port).replacingOccurrences(of: #"Call-ID: [^\n]*\n"#, with: "", options: .regularExpression)
                try await probe.send(noCallID, to: port)
                let missing = try #require(await probe.finalResponse())
                #expect(missing.statusCode == 400 && missing.reasonPhrase == "Missing Header: Call-ID")
                // Content-Length larger than the datagram: 400 "Content-Length mismatch".
                let short = Self.request("OPTIONS", port: port).replacingOccurrences(of: "Content-Length: 0", with: "Content-Length: 500")
                try await probe.send(short, to: port)
                #expect(await probe.finalResponse()?.reasonPhrase == "Content-Length mismatch")
                // Garbage, an oversize datagram and half a message on TCP: no answer, no crash.
                try await probe.send(String(repeating: "\u{7}garbage\u{0}", count: 20), to: port)
                try await probe.send(String(repeating: "X", count: 20_000), to: port)
                try await probe.send("INVITE sip:bob@127.0.0.1 SIP/2.0\nVia: SIP/2.0/TCP 127.0.0.1:PORT;branch=z9hG4bKhalf\n", to: port, transport: .tcp)
                // Still alive and answering, same process.
                try await probe.send(Self.request("OPTIONS", port: port), to: port)
                #expect(await probe.finalResponse()?.statusCode == 200)
                #expect(try await instance.pid(of: "sig") == sigPID)
                let counted = await eventually {
                    let s = try? await instance.status()
                    return (s.flatMap { instance.component("sig", in: $0)?.stats?["malformed"]?.intValue } ?? 0) >= 4
                }
                #expect(counted)
                await probe.close()
            }
        }

        @Test func callsBeyondTheLimitGet503WithRetryAfter() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1",
                                           "--max-calls", "1"])
                let probe = try await Probe()
                let offer = Self.sdp("0", rtpmaps: "a=rtpmap:0 PCMU/8000\n")
                try await probe.send(Self.request("INVITE", port: port, extra: "Content-Type: application/sdp\n", body: offer), to: port)
                let ringing = await probe.response()  // 100 then 180: the call is up to the limit
                #expect(ringing?.statusCode == 100 || ringing?.statusCode == 180)
                try await probe.send(Self.request("INVITE", port: port, extra: "Content-Type: application/sdp\n", body: offer), to: port)
                var busy: SIPMessage?
                while let r = await probe.response(), busy == nil { if r.statusCode == 503 { busy = r } }
                #expect(busy?.firstValue("Retry-After") == "5")
                #expect(await eventually {
                    let s = try? await instance.status()
                    return s.flatMap { instance.component("sig", in: $0)?.stats?["rejected_call_limit"]?.intValue } == 1
                })
                await probe.close()
            }
        }

        @Test func aSourceThatKeepsFailingIsThrottled() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"])
                let probe = try await Probe()
                for _ in 0..<20 {
                    try await probe.send(Self.request("MESSAGE", port: port), to: port)
                    #expect(await probe.finalResponse()?.statusCode == 405)
                }
                // The 21st request from the same address is dropped silently (a scanner learns nothing).
                try await probe.send(Self.request("OPTIONS", port: port), to: port)
                #expect(await probe.finalResponse(timeout: .milliseconds(700)) == nil)
                #expect(await eventually {
                    let s = try? await instance.status()
                    return (s.flatMap { instance.component("sig", in: $0)?.stats?["throttled"]?.intValue } ?? 0) >= 1
                })
                await probe.close()
            }
        }

        @Test func ipv6Works() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "[::1]:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"])
                let probe = Probe6()
                let local = try await probe.start()
                let text = Self.request("OPTIONS", port: port).replacingOccurrences(of: "127.0.0.1:PORT", with: "[::1]:\(local.port)")
                    .replacingOccurrences(of: "127.0.0.1", with: "[::1]").replacingOccurrences(of: "\n", with: "\r\n")
                try await probe.layer.send(bytes: Array(text.utf8), to: SIPTransportAddress(transport: .udp, host: "::1", port: UInt16(port)))
                let reply = await probe.next()
                #expect(reply?.statusCode == 200)
                #expect(try reply?.topVia()?.host == "[::1]" || reply?.topVia()?.host == "::1")
                await probe.layer.shutdown()
            }
        }

        final class Probe6: @unchecked Sendable {
            let layer = SIPTransportLayer(settings: SIPTransportSettings(listenHosts: ["::1"], port: 0, transports: [.udp]))
            func start() async throws -> SIPTransportAddress { try #require(try await layer.start().first) }
            func next() async -> SIPMessage? {
                let stream = layer.inbound
                return await withTaskGroup(of: SIPMessage?.self) { group in
                    group.addTask {
                        for await item in stream { if case .message(let m, _, _) = item, m.isResponse { return m } }
                        return nil
                    }
                    group.addTask { try? await Task.sleep(for: .seconds(3)); return nil }
                    let first = await group.next() ?? nil
                    group.cancelAll()
                    return first
                }
            }
        }

        @Test func aRetransmittedInviteAfterOur200GetsThe200AgainNotANewCall() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"])
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                let probe = try await Probe()
                let offer = Self.sdp("0", rtpmaps: "a=rtpmap:0 PCMU/8000\n")
                let invite = Self.request("INVITE", port: port, extra: "Content-Type: application/sdp\n", body: offer)
                try await probe.send(invite, to: port)
                let incoming = try #require(await events.wait { $0.type == "call.incoming" })
                #expect(try instance.sipc(["answer", try #require(incoming.data["call"]?.stringValue)]).status == 0)
                let ok = try #require(await probe.finalResponse())
                #expect(ok.statusCode == 200 && String(decoding: ok.body, as: UTF8.self).contains("m=audio \(port + 220)"))
                // Our ACK is "lost"; the caller retransmits the INVITE (same branch): the same 200 comes back.
                try await probe.send(invite, to: port)
                let again = try #require(await probe.finalResponse())
                let tags = (try again.to()?.tag, try ok.to()?.tag)
                #expect(again.statusCode == 200 && tags.0 == tags.1)
                #expect(events.all.filter { $0.type == "call.incoming" }.count == 1)
                await probe.close()
            }
        }

        @Test func aCallsOwnCodecOrderAndSDPAttributesGoIntoItsAnswer() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"])
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                let probe = try await Probe()
                let offer = Self.sdp("0 8", rtpmaps: "a=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\n")
                try await probe.send(Self.request("INVITE", port: port, extra: "Content-Type: application/sdp\n", body: offer), to: port)
                let incoming = try #require(await events.wait { $0.type == "call.incoming" })
                let call = try #require(incoming.data["call"]?.stringValue)
                await #expect(throws: WireError.self) {
                    _ = try await instance.handle.request("answer", args: ["call": .string(call), "codecs": ["G729"]], timeout: .seconds(5))
                }
                await #expect(throws: WireError.self, "a line break in an attribute would inject SDP lines") {
                    _ = try await instance.handle.request("answer", args: ["call": .string(call), "sdp_attributes": ["x-foo:bar\r\na=evil"]],
                                                          timeout: .seconds(5))
                }
                _ = try await instance.handle.request("answer", args: ["call": .string(call), "codecs": ["PCMA", "PCMU"],
                                                                        "sdp_attributes": ["a=x-agent:42", "x-flag"]], timeout: .seconds(5))
                let ok = try #require(await probe.finalResponse())
                let body = String(decoding: ok.body, as: UTF8.self)
                #expect(ok.statusCode == 200)
                #expect(body.contains("m=audio \(port + 220) RTP/AVP 8"), "PCMA first, as this call asked:\n\(body)")
                #expect(body.contains("a=x-agent:42") && body.contains("a=x-flag"))
                await probe.close()
            }
        }

        @Test func aFloodIsAbsorbedWithBoundedMemory() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"])
                let sig = try await instance.pid(of: "sig")
                func rssKB() -> Int {
                    let status = (try? String(contentsOfFile: "/proc/\(sig)/status", encoding: .utf8)) ?? ""
                    return status.split(separator: "\n").first { $0.hasPrefix("VmRSS") }.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                }
                let before = rssKB()
                let socket = UDPSender()
                defer { socket.close() }
                // 5,000 distinct OPTIONS as fast as we can (each a transaction that lingers 32 s): all answered or queued.
                for n in 0..<5000 {
                    let text = Self.request("OPTIONS", port: port, callID: "flood-\(n)").replacingOccurrences(of: "PORT", with: "9")
                        .replacingOccurrences(of: "\n", with: "\r\n")
                    socket.send(Array(text.utf8), to: port)
                    if n % 50 == 49 { try await Task.sleep(for: .milliseconds(2)) }  // stay within the kernel's socket buffer
                }
                let probe = try await Probe()
                var answered: SIPMessage?
                for _ in 0..<10 where answered == nil {  // the flood's tail may still be in the queue: retry, as a UAC would
                    try await probe.send(Self.request("OPTIONS", port: port), to: port)
                    answered = await probe.finalResponse(timeout: .seconds(1))
                }
                #expect(answered?.statusCode == 200)  // still answering
                if answered == nil { print("sig stats: \(String(describing: (try? await instance.status()).flatMap { instance.component("sig", in: $0)?.stats }))") }
                // Then 5,000 garbage datagrams: counted, and their source throttled (a scanner learns nothing more).
                for n in 0..<5000 {
                    socket.send([UInt8](repeating: UInt8(n & 0xFF), count: 300), to: port)
                    if n % 50 == 49 { try await Task.sleep(for: .milliseconds(2)) }
                }
                #expect(await eventually(timeout: .seconds(5)) {
                    let s = try? await instance.status()
                    return (s.flatMap { instance.component("sig", in: $0)?.stats?["throttled"]?.intValue } ?? 0) > 1000
                })
                #expect(try await instance.pid(of: "sig") == sig)
                let grown = rssKB() - before
                #expect(grown < 150_000, "sig grew by \(grown) KB")
                await probe.close()
            }
        }
    }
}
