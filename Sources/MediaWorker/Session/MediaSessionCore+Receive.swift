import MediaCore
import Timebase
import Wire

/// The receive path: one datagram from either socket, demultiplexed, checked and fed to the jitter buffer.
extension MediaSessionCore {
    /// Bytes a received payload may decode to at most (60 ms at 32 kHz; G.711 at 8 kHz needs 480).
    static let maxDecodedSamples = 1920
    /// A peer's new SSRC is taken once the old one has been quiet this long (it restarted its stream).
    static let ssrcChangeQuiet: UInt64 = 200_000_000

    /// One datagram that arrived on the session's `socket` from `source` at `now`.
    ///
    /// RTCP (the RTCP socket, or with rtcp-mux a second byte of 192-223) goes to the RTCP session. RTP is parsed
    /// (malformed packets are counted), its source checked (below), then a telephone-event packet becomes at most
    /// one `dtmf.received` per key press, and audio of the negotiated payload type is counted and decoded into the
    /// jitter buffer (when the direction receives). Other payload types are counted and dropped.
    public mutating func receive(packet bytes: UnsafeRawBufferPointer, on socket: MediaSocket, from source: MediaAddress,
                                 now: MonotonicTime, into actions: inout MediaActions) {
        if socket == .rtcp || (spec?.rtcpMux == true && Self.looksLikeRTCP(bytes)) {
            receiveRTCP(bytes, now: now, into: &actions)
            return
        }
        guard let spec, spec.receives || spec.telephoneEventPayloadType != nil else { return }
        guard let packet = try? RTPPacket.parse(bytes) else {
            counters.malformed += 1
            return
        }
        let header = packet.header
        guard accepts(source, payloadType: header.payloadType, spec: spec) else {
            counters.wrongSource += 1
            return
        }
        let arrival = now.unsignedNanoseconds
        if let known = remoteSSRC, known != header.ssrc {
            // A new SSRC (the peer restarted its stream): take it once the old one has been quiet for 200 ms.
            guard arrival &- lastFromRemoteSSRC > Self.ssrcChangeQuiet else {
                counters.wrongSource += 1
                return
            }
            receiveStatistics = RTPReceiveStatistics()  // the jitter buffer resets itself on the new SSRC
        }
        remoteSSRC = header.ssrc
        lastFromRemoteSSRC = arrival
        let payload = UnsafeRawBufferPointer(rebasing: bytes[packet.payloadRange])
        if let te = spec.telephoneEventPayloadType, header.payloadType == te {
            receiveTelephoneEvent(payload, timestamp: header.timestamp, into: &actions)
            return
        }
        guard header.payloadType == spec.payloadType else {
            counters.wrongPayloadType += 1
            return
        }
        counters.packetsReceived += 1
        counters.bytesReceived += payload.count
        _ = receiveStatistics.record(sequence: header.sequenceNumber, timestamp: header.timestamp, arrivalNanoseconds: arrival)
        rtcpSession?.didReceiveRTP(ssrc: header.ssrc, sequence: header.sequenceNumber, timestamp: header.timestamp,
                                   arrival: now.nanoseconds, payloadBytes: payload.count)
        guard spec.receives, payload.count <= Self.maxDecodedSamples else { return }
        let law = spec.law
        actions.withScratchSamples(payload.count) { decoded in
            let count = law.decode(payload, into: decoded)
            arrivals.record(timestamp: header.timestamp, samples: count, arrival: arrival)
            _ = playout.insert(sequence: header.sequenceNumber, timestamp: header.timestamp, ssrc: header.ssrc, marker: header.marker,
                               samples: UnsafeBufferPointer(rebasing: decoded[0..<count]), arrival: now)
        }
    }

    /// Symmetric RTP latching (RFC 4961 practice): follow the source actually seen, once, for NATed peers. The
    /// address from the SDP is trusted at once; another source only after three consecutive packets of a
    /// negotiated payload type, so a stray or forged datagram that happens to parse cannot hijack the call. Once
    /// latched, other sources are refused.
    private mutating func accepts(_ source: MediaAddress, payloadType: UInt8, spec: MediaStartSpec) -> Bool {
        if remoteRTP == source {
            latched = true
            latchCandidate = nil
            return true
        }
        guard latchToSource, !latched, payloadType == spec.payloadType || payloadType == spec.telephoneEventPayloadType else {
            return false
        }
        if latchCandidate?.source == source { latchCandidate?.count += 1 } else { latchCandidate = (source, 1) }
        guard (latchCandidate?.count ?? 0) >= 3 else { return false }
        remoteRTP = source
        latched = true
        latchCandidate = nil
        return true
    }
}
