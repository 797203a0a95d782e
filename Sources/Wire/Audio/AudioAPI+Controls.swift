/// What a user switches during a call (`audio.set`, docs/PROTOCOL.md §4, audio).
extension AudioAPI {
    /// Mute, gains and the voice processing stages: one set for every call of the instance. `audio.set` answers it
    /// (all six fields), `audio.state` shows it as `controls`.
    public struct Controls: WireObject, Hashable {
        public var mute = false
        public var inputGainDB = 0.0
        public var outputGainDB = 0.0
        public var echoCancellation = true
        public var noiseSuppression = true
        public var gainControl = false

        public static let gainRange = -40.0...40.0

        public init() {}

        public init(mute: Bool, inputGainDB: Double, outputGainDB: Double, echoCancellation: Bool, noiseSuppression: Bool,
                    gainControl: Bool) {
            self.mute = mute
            self.inputGainDB = inputGainDB
            self.outputGainDB = outputGainDB
            self.echoCancellation = echoCancellation
            self.noiseSuppression = noiseSuppression
            self.gainControl = gainControl
        }

        public init(from r: WireReader) throws(WireError) {
            mute = try r("mute")
            inputGainDB = try r("input_gain_db")
            outputGainDB = try r("output_gain_db")
            echoCancellation = try r("echo_cancellation")
            noiseSuppression = try r("noise_suppression")
            gainControl = try r("gain_control")
        }

        public func write(to w: inout WireWriter) {
            w("mute", mute)
            w("input_gain_db", inputGainDB)
            w("output_gain_db", outputGainDB)
            w("echo_cancellation", echoCancellation)
            w("noise_suppression", noiseSuppression)
            w("gain_control", gainControl)
        }

        /// These controls with the fields `change` sets (it was checked when decoded).
        public func applying(_ change: SetControls) -> Controls {
            var next = self
            if let v = change.mute { next.mute = v }
            if let v = change.inputGainDB { next.inputGainDB = v }
            if let v = change.outputGainDB { next.outputGainDB = v }
            if let v = change.echoCancellation { next.echoCancellation = v }
            if let v = change.noiseSuppression { next.noiseSuppression = v }
            if let v = change.gainControl { next.gainControl = v }
            return next
        }
    }

    /// `audio.set`: any of the six controls; the answer is all six after the change. An invalid field is `bad_args`
    /// naming it (`'input_gain_db' must be a number of dB from -40 to 40`), and nothing changes.
    public struct SetControls: WireCommand, Hashable {
        public static let name = "audio.set"
        public static let receiver = WireReceiver.audio
        public var mute: Bool?
        public var inputGainDB: Double?
        public var outputGainDB: Double?
        public var echoCancellation: Bool?
        public var noiseSuppression: Bool?
        public var gainControl: Bool?

        public init(mute: Bool? = nil, inputGainDB: Double? = nil, outputGainDB: Double? = nil, echoCancellation: Bool? = nil,
                    noiseSuppression: Bool? = nil, gainControl: Bool? = nil) {
            self.mute = mute
            self.inputGainDB = inputGainDB
            self.outputGainDB = outputGainDB
            self.echoCancellation = echoCancellation
            self.noiseSuppression = noiseSuppression
            self.gainControl = gainControl
        }

        // The messages name the field without the `args.` path, as sip-audio always has (clients show them as is);
        // a field that is present must have its type even when null.
        public init(from r: WireReader) throws(WireError) {
            mute = try Self.flag(r, "mute")
            inputGainDB = try Self.gain(r, "input_gain_db")
            outputGainDB = try Self.gain(r, "output_gain_db")
            echoCancellation = try Self.flag(r, "echo_cancellation")
            noiseSuppression = try Self.flag(r, "noise_suppression")
            gainControl = try Self.flag(r, "gain_control")
        }

        private static func flag(_ r: WireReader, _ key: String) throws(WireError) -> Bool? {
            guard let value = r.object[key] else { return nil }
            guard case .bool(let b) = value else { throw r.error("'\(key)' must be true or false") }
            return b
        }

        private static func gain(_ r: WireReader, _ key: String) throws(WireError) -> Double? {
            guard let value = r.object[key] else { return nil }
            guard case .number(let d) = value, d.isFinite, Controls.gainRange.contains(d) else {
                throw r.error("'\(key)' must be a number of dB from -40 to 40")
            }
            return d
        }

        public func write(to w: inout WireWriter) {
            w("mute", mute)
            w("input_gain_db", inputGainDB)
            w("output_gain_db", outputGainDB)
            w("echo_cancellation", echoCancellation)
            w("noise_suppression", noiseSuppression)
            w("gain_control", gainControl)
        }

        public typealias Result = Controls
    }
}
