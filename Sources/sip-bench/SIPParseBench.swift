import ArgumentParser
import Foundation
import SIPCore
import Timebase

/// Parses (and serializes) a typical INVITE with an SDP offer many times: messages per second and, when run
/// with the malloc counter preloaded (scripts/bench), heap allocations per message.
struct SIPParse: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sip-parse")

    @Option var count = 200_000

    static let invite = """
        INVITE sip:bob@192.0.2.4:5060 SIP/2.0\r
        Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport\r
        Max-Forwards: 70\r
        To: Bob <sip:bob@biloxi.example.com>\r
        From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r
        Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r
        CSeq: 314159 INVITE\r
        Contact: <sip:alice@192.0.2.1:5060>\r
        Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r
        User-Agent: bench/1.0\r
        Content-Type: application/sdp\r
        Content-Length: 215\r
        \r
        v=0\r
        o=alice 2890844526 2890844526 IN IP4 192.0.2.1\r
        s=-\r
        c=IN IP4 192.0.2.1\r
        t=0 0\r
        m=audio 49170 RTP/AVP 0 8 101\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-16\r
        a=ptime:20\r
        a=sendrecv\r

        """

    func run() throws {
        let bytes = Array(Self.invite.utf8)
        let parser = SIPMessageParser()
        // Warm up, and check the message is what we think it is.
        let sample = try parser.parseDatagram(bytes)
        guard sample.method == .invite, sample.body.count == 215 else { throw ValidationError("benchmark message does not parse as expected") }
        let counter = MallocCounter()
        var checksum = 0
        let a0 = counter.count
        let t0 = MonotonicClock.now()
        for _ in 0..<count {
            let m = try parser.parseDatagram(bytes)
            checksum &+= m.headers.count
        }
        let parseTime = MonotonicClock.now() - t0
        let a1 = counter.count
        // Header access a user agent does on every request: Via, CSeq, Call-ID, From/To tags.
        let t1 = MonotonicClock.now()
        for _ in 0..<count {
            let m = try parser.parseDatagram(bytes)
            checksum &+= Int(try m.cseq()?.sequence ?? 0) &+ (try m.topVia()?.branch?.count ?? 0) &+ (try m.callID()?.count ?? 0)
            checksum &+= (try m.from()?.tag?.count ?? 0)
        }
        let accessTime = MonotonicClock.now() - t1
        let a2 = counter.count
        let t2 = MonotonicClock.now()
        for _ in 0..<count { checksum &+= sample.serialized().count }
        let serializeTime = MonotonicClock.now() - t2
        let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        var out: [String: Any] = [
            "bench": "sip-parse", "message_bytes": bytes.count, "count": count,
            "parse_per_s": Double(count) / seconds(parseTime),
            "parse_and_headers_per_s": Double(count) / seconds(accessTime),
            "serialize_per_s": Double(count) / seconds(serializeTime),
            "checksum": checksum,
        ]
        if counter.available {
            out["allocs_per_parse"] = Double(a1 - a0) / Double(count)
            out["allocs_per_parse_and_headers"] = Double(a2 - a1) / Double(count)
        }
        let data = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Reads the allocation counter of scripts/malloc_count.c when it is preloaded (LD_PRELOAD); absent otherwise.
struct MallocCounter {
    private let function: (@convention(c) () -> UInt64)?

    init() {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sipc_malloc_count") {
            function = unsafeBitCast(symbol, to: (@convention(c) () -> UInt64).self)
        } else {
            function = nil
        }
    }

    var available: Bool { function != nil }
    var count: UInt64 { function?() ?? 0 }
}
