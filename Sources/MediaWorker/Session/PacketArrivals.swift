/// When the last few RTP packets of a call arrived, by RTP timestamp: what gives a played frame its origin stamp
/// (docs/PROTOCOL.md §7), so sip-audio can measure the downlink from packet arrival to the device.
///
/// A fixed ring of 16 packets (320 ms of 20 ms packets, more than the jitter buffer normally holds); a frame
/// whose packet has left the ring simply goes unstamped.
struct PacketArrivals {
    private var timestamps = [UInt32](repeating: 0, count: 16)
    private var lengths = [UInt32](repeating: 0, count: 16)
    private var arrivals = [UInt64](repeating: 0, count: 16)
    private var next = 0

    mutating func record(timestamp: UInt32, samples: Int, arrival: UInt64) {
        timestamps[next] = timestamp
        lengths[next] = UInt32(samples)
        arrivals[next] = arrival
        next = (next + 1) & 15
    }

    /// The arrival of the packet that holds RTP sample `sample` (the last sample of a frame: the frame was complete
    /// only once that packet was in), or 0 when none of the recent packets holds it.
    func arrival(ofSample sample: UInt32) -> UInt64 {
        for i in 0..<16 where lengths[i] > 0 && sample &- timestamps[i] < lengths[i] { return arrivals[i] }
        return 0
    }
}
