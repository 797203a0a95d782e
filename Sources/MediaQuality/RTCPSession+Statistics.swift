import MediaCore

/// The statistics snapshot (for logs, call-quality events and the E-model).
extension RTCPSession {
    public var statistics: RTCPSessionStatistics {
        let rate = Double(configuration.clockRate)
        // Sources still on probation (one stray packet) are not shown.
        let sources = remotes.filter { $0.value.isConfirmed }.sorted { $0.key < $1.key }.map { ssrc, source -> RemoteSourceStatistics in
            let expected = source.statistics.expectedCount
            let lost = source.statistics.cumulativeLost
            return RemoteSourceStatistics(
                ssrc: ssrc, cname: source.cname, packetsReceived: source.statistics.receivedCount,
                bytesReceived: source.bytesReceived, packetsExpected: expected, cumulativeLost: lost,
                lossPercent: expected > 0 ? Double(max(lost, 0)) * 100 / Double(expected) : 0,
                intervalLossPercent: Double(source.intervalFractionLost) * 100 / 256,
                jitterMilliseconds: Double(source.statistics.jitter) * 1000 / rate,
                roundTripTimeMilliseconds: source.roundTripTime.map { $0 * 1000 },
                smoothedRoundTripTimeMilliseconds: source.smoothedRoundTripTime.map { $0 * 1000 },
                remoteReception: source.remoteReception, lastSenderReportAt: source.lastSenderReportArrival,
                lastReceiverReportAt: source.lastReceiverReportArrival, hasLeft: source.hasLeft)
        }
        return RTCPSessionStatistics(
            packetsSent: packetsSent, bytesSent: bytesSent,
            packetsReceived: sources.reduce(0) { $0 + $1.packetsReceived },
            bytesReceived: sources.reduce(0) { $0 &+ $1.bytesReceived },
            members: members, senders: senders, reportsSent: reportsSent, lastReportSentAt: latestReportTime,
            averageRTCPSize: averageRTCPSize, remotes: sources)
    }
}
