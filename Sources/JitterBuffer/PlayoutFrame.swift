/// One pulled frame: always exactly `frameSamples` samples, whatever happened on the network.
public struct PlayoutFrame: Sendable, Equatable {
    public var kind: PlayoutKind
    /// RTP timestamp of `samples[0]`, or nil when the frame continues no stream position (silence before
    /// the first packet, or a frame inserted to grow the delay).
    ///
    /// Output runs ``PacketLossConcealment/delaySamples`` behind the buffer's playout point, as in G.711
    /// Appendix I, so that concealment can overlap-add into audio not yet played. This timestamp includes
    /// that delay: it names the first sample actually returned.
    public var timestamp: UInt32?
    public var samples: [Int16]

    public init(kind: PlayoutKind, timestamp: UInt32?, samples: [Int16]) {
        self.kind = kind
        self.timestamp = timestamp
        self.samples = samples
    }
}

/// The metadata of a frame pulled into a caller's buffer (see ``AdaptiveJitterBuffer/pull(now:into:)``).
public struct PlayoutInfo: Sendable, Equatable {
    public var kind: PlayoutKind
    public var timestamp: UInt32?
}

/// How a pulled frame was made.
public enum PlayoutKind: Sendable, Hashable {
    /// Received audio, all of it.
    case normal
    /// Some or all samples were missing and were synthesized from the last pitch periods.
    case concealed
    /// Nothing to play: before the first packet, or after concealment has faded out on a long gap.
    case silence
    /// The delay grew by one frame: a synthesized frame was played and no stream position was consumed.
    case expanded
    /// The delay shrank: one frame was skipped (during silence when possible, cross-faded otherwise) and
    /// the next was played. Above `maximumDelay` several frames may be skipped at once.
    case compressed
}
