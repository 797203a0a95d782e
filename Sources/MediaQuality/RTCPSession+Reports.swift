import MediaCore

/// Building our compound reports (RFC 3550 §6.1, §6.4).
extension RTCPSession {
    /// SR (if `weSent`) or RR carrying one block per remote source heard
    /// since our last report, extra RR packets past 31 blocks, SDES CNAME,
    /// and `bye` when leaving. Advances the per-source report intervals.
    mutating func makeCompound(now: Int64, bye: RTCPBye?) -> [UInt8] {
        var blocks: [RTCPReportBlock] = []
        for ssrc in remotes.keys.sorted() {
            guard var source = remotes[ssrc], !source.hasLeft, source.receivedSinceLastReport,
                source.statistics.isValidated
            else { continue }
            var delay: UInt32 = 0
            if let arrival = source.lastSenderReportArrival {
                delay = RTCPTiming.shortUnits(nanoseconds: UInt64(clamping: now - arrival))
            }
            let block = source.statistics.makeReportBlock(
                ssrc: ssrc, lastSenderReport: source.lastSenderReport, delaySinceLastSenderReport: delay)
            source.intervalFractionLost = block.fractionLost
            source.receivedSinceLastReport = false
            remotes[ssrc] = source
            blocks.append(block)
        }

        let firstBlocks = Array(blocks.prefix(31))
        var packets: [RTCPPacket] = []
        if weSent, let ntp = wallClockTime(at: now) {
            packets.append(
                .senderReport(
                    RTCPSenderReport(
                        ssrc: configuration.ssrc, ntpTimestamp: ntp, rtpTimestamp: rtpTimestamp(at: now),
                        packetCount: UInt32(truncatingIfNeeded: packetsSent),
                        octetCount: UInt32(truncatingIfNeeded: bytesSent), reports: firstBlocks)))
        } else {
            packets.append(.receiverReport(RTCPReceiverReport(ssrc: configuration.ssrc, reports: firstBlocks)))
        }
        var rest = blocks.dropFirst(31)
        while !rest.isEmpty {
            packets.append(.receiverReport(RTCPReceiverReport(ssrc: configuration.ssrc, reports: Array(rest.prefix(31)))))
            rest = rest.dropFirst(31)
        }
        packets.append(.sourceDescription(RTCPSourceDescription(chunks: [RTCPSDESChunk(source: configuration.ssrc, items: [cnameItemForReports])])))
        if let bye { packets.append(.bye(bye)) }

        olderReportTime = latestReportTime
        latestReportTime = now
        reportsSent += 1
        // Every part was validated (CNAME length at init, 31 blocks per
        // packet, reason cut to 255 bytes), so serialization cannot fail.
        return (try? RTCPCompound(packets: packets).serialized()) ?? []
    }

    /// The RTP timestamp matching `now`: the last sent timestamp advanced
    /// by the elapsed time at the clock rate (§6.4.1), modulo 2^32.
    func rtpTimestamp(at now: Int64) -> UInt32 {
        guard let sent = lastRTPSendTime else { return lastSentRTPTimestamp }
        let elapsed = now - sent
        let perSecond: Int64 = 1_000_000_000
        let rate = Int64(configuration.clockRate)
        let ticks = (elapsed / perSecond) &* rate &+ (elapsed % perSecond) * rate / perSecond
        return lastSentRTPTimestamp &+ UInt32(truncatingIfNeeded: ticks)
    }

    /// The wall-clock time at `now`, extrapolated from the latest pair the caller gave.
    func wallClockTime(at now: Int64) -> NTPTimestamp? {
        guard let wallClock else { return nil }
        return wallClock.ntp.advanced(byNanoseconds: now - wallClock.monotonic)
    }
}
