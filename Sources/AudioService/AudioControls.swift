import Wire

/// What a user switches during a call: mute, gains and the voice processing stages. Set from the configuration
/// at start and by `audio.set` at any time; the audio thread picks a change up at its next 20 ms tick.
public struct AudioControls: Sendable, Equatable {
    public var mute = false
    public var inputGainDB = 0.0
    public var outputGainDB = 0.0
    public var echoCancellation = true
    public var noiseSuppression = true
    public var gainControl = false

    public init() {}

    public static let gainRange = -40.0...40.0

    public var json: [String: JSONValue] {
        ["mute": .bool(mute), "input_gain_db": .number(inputGainDB), "output_gain_db": .number(outputGainDB),
         "echo_cancellation": .bool(echoCancellation), "noise_suppression": .bool(noiseSuppression), "gain_control": .bool(gainControl)]
    }

    /// Applies the fields present in `args` (the keys of `json`); an invalid one leaves everything unchanged and
    /// returns the message naming it.
    public func applying(_ args: [String: JSONValue]) -> Result<AudioControls, WireError> {
        var next = self
        for (key, value) in args {
            switch key {
            case "mute", "echo_cancellation", "noise_suppression", "gain_control":
                guard let b = value.boolValue else { return .failure(WireError(.badArgs, "'\(key)' must be true or false")) }
                switch key {
                case "mute": next.mute = b
                case "echo_cancellation": next.echoCancellation = b
                case "noise_suppression": next.noiseSuppression = b
                default: next.gainControl = b
                }
            case "input_gain_db", "output_gain_db":
                guard let d = value.doubleValue, d.isFinite, Self.gainRange.contains(d) else {
                    return .failure(WireError(.badArgs, "'\(key)' must be a number of dB from -40 to 40"))
                }
                if key == "input_gain_db" { next.inputGainDB = d } else { next.outputGainDB = d }
            default:
                continue  // unknown fields are ignored (docs/PROTOCOL.md §1)
            }
        }
        return .success(next)
    }
}
