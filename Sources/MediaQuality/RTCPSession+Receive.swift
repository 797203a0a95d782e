import MediaCore

/// Taking in the peers' RTCP (RFC 3550 §6.3.3, §6.4, §6.6).
extension RTCPSession {
    /// Parses and applies a received compound datagram that arrived at
    /// `arrival` (monotonic ns) = `ntpNow` (wall clock, for round-trip
    /// times). Invalid datagrams (A.2 checks, SR/RR not first) are rejected
    /// whole and change nothing.
    public mutating func didReceiveRTCP(
        _ datagram: UnsafeRawBufferPointer, arrival: Int64, ntpNow: NTPTimestamp
    ) throws(RTCPSessionError) -> [RTCPOutput] {
        let compound: RTCPCompound
        do {
            compound = try RTCPCompound.parse(datagram, requireReportFirst: true)
        } catch {
            throw .malformed(error)
        }
        return didReceiveRTCP(compound, datagramSize: datagram.count, arrival: arrival, ntpNow: ntpNow)
    }

    /// Convenience over an array.
    public mutating func didReceiveRTCP(
        _ datagram: [UInt8], arrival: Int64, ntpNow: NTPTimestamp
    ) throws(RTCPSessionError) -> [RTCPOutput] {
        let result = datagram.withUnsafeBytes { bytes in
            Result { () throws(RTCPSessionError) in try didReceiveRTCP(bytes, arrival: arrival, ntpNow: ntpNow) }
        }
        return try result.get()
    }

    /// Applies an already parsed compound; `datagramSize` (its UDP payload
    /// length) feeds `avg_rtcp_size`. Returns `.sourceLeft` for each BYE.
    public mutating func didReceiveRTCP(
        _ compound: RTCPCompound, datagramSize: Int, arrival: Int64, ntpNow: NTPTimestamp
    ) -> [RTCPOutput] {
        wallClock = (arrival, ntpNow)
        updateAverageSize(max(datagramSize, 0))
        var outputs: [RTCPOutput] = []
        for packet in compound.packets {
            switch packet {
            case .senderReport(let report):
                guard var source = heard(report.ssrc, at: arrival) else { continue }
                source.lastSenderReport = report.ntpTimestamp.middle32
                source.lastSenderReportArrival = arrival
                remotes[report.ssrc] = source
                applyBlocks(report.reports, arrival: arrival, ntpNow: ntpNow, from: report.ssrc)
            case .receiverReport(let report):
                guard var source = heard(report.ssrc, at: arrival) else { continue }
                source.lastReceiverReportArrival = arrival
                remotes[report.ssrc] = source
                applyBlocks(report.reports, arrival: arrival, ntpNow: ntpNow, from: report.ssrc)
            case .sourceDescription(let description):
                for chunk in description.chunks {
                    guard var source = heard(chunk.source, at: arrival) else { continue }
                    if let cname = chunk.cname { source.cname = cname }
                    remotes[chunk.source] = source
                }
            case .bye(let bye):
                for ssrc in bye.sources where ssrc != configuration.ssrc {
                    // A BYE from a source never heard (its RTP lost) still ends the call.
                    guard var source = remotes[ssrc] ?? makeRemote(now: arrival), !source.hasLeft else { continue }
                    source.hasLeft = true
                    remotes[ssrc] = source
                    outputs.append(.sourceLeft(ssrc: ssrc, reason: bye.reason))
                }
            case .other:
                break  // APP, feedback, XR: length-checked by the parser, not used here.
            }
        }
        if !outputs.isEmpty { reverseReconsider(now: arrival) }
        return outputs
    }

    /// The source record for `ssrc` marked as heard, or nil for our own SSRC
    /// (a loop or a collision, §8.2, not handled here) and sources that left.
    private mutating func heard(_ ssrc: UInt32, at arrival: Int64) -> RemoteSource? {
        guard ssrc != configuration.ssrc, var source = remotes[ssrc] ?? makeRemote(now: arrival),
            !source.hasLeft
        else { return nil }
        source.lastActivity = max(source.lastActivity, arrival)
        source.isConfirmed = true
        return source
    }

    /// Report blocks about our SSRC: the remote's view of our stream and
    /// the round-trip time RTT = A − LSR − DLSR (§6.4.1).
    private mutating func applyBlocks(
        _ blocks: [RTCPReportBlock], arrival: Int64, ntpNow: NTPTimestamp, from ssrc: UInt32
    ) {
        guard var source = remotes[ssrc] else { return }
        for block in blocks where block.ssrc == configuration.ssrc {
            source.remoteReception = RemoteReception(
                fractionLostPercent: Double(block.fractionLost) * 100 / 256,
                cumulativeLost: block.cumulativeLost, extendedHighestSequence: block.extendedHighestSequence,
                jitterMilliseconds: Double(block.jitter) * 1000 / Double(configuration.clockRate),
                receivedAt: arrival)
            if let rtt = RTCPTiming.roundTripTime(
                arrival: ntpNow.middle32, lastSenderReport: block.lastSenderReport,
                delaySinceLastSenderReport: block.delaySinceLastSenderReport)
            {
                let seconds = Double(rtt) / Double(RTCPTiming.unitsPerSecond)
                source.roundTripTime = seconds
                // Smoothed like TCP's SRTT (RFC 6298, gain 1/8).
                source.smoothedRoundTripTime = source.smoothedRoundTripTime.map { $0 + (seconds - $0) / 8 } ?? seconds
            }
        }
        remotes[ssrc] = source
    }
}
