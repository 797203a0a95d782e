import Foundation
import Wire

/// A call record as the orch journal stores it: every field, so a restarted orch knows the call as well as the
/// one that died.
extension CallRecord {
    public var snapshot: JSONValue {
        var o: [String: JSONValue] = ["id": .string(id), "direction": .string(direction), "state": .string(state), "remote": .string(remote),
                                      "created": .number(created.timeIntervalSince1970), "playback_stream": .number(Double(playbackStream)),
                                      "capture_stream": .number(Double(captureStream)), "audio_attached": .bool(audioAttached)]
        if let local { o["local"] = .string(local) }
        if let worker { o["worker"] = .string(worker) }
        if let mediaPort { o["media_port"] = .init(mediaPort) }
        if let codec { o["codec"] = .string(codec) }
        if let connected { o["connected"] = .number(connected.timeIntervalSince1970) }
        if let sipStatus { o["sip_status"] = .init(sipStatus) }
        if let reason { o["reason"] = .string(reason) }
        if let mediaApplied { o["media_applied"] = mediaApplied }
        if let holdMusicApplied { o["hold_music_applied"] = holdMusicApplied }
        if let rtpState { o["rtp_state"] = rtpState }
        if let signaling { o["signaling"] = signaling }
        if let dialArgs { o["dial_args"] = dialArgs }
        return .object(o)
    }

    public init?(snapshot j: JSONValue) {
        guard let id = j["id"]?.stringValue, let direction = j["direction"]?.stringValue, let state = j["state"]?.stringValue,
              let remote = j["remote"]?.stringValue, let created = j["created"]?.doubleValue else { return nil }
        self.init(id: id, direction: direction, state: state, remote: remote, created: Date(timeIntervalSince1970: created))
        local = j["local"]?.stringValue
        worker = j["worker"]?.stringValue
        mediaPort = j["media_port"]?.intValue
        codec = j["codec"]?.stringValue
        connected = j["connected"]?.doubleValue.map { Date(timeIntervalSince1970: $0) }
        sipStatus = j["sip_status"]?.intValue
        reason = j["reason"]?.stringValue
        playbackStream = UInt32(clamping: j["playback_stream"]?.intValue ?? 0)
        captureStream = UInt32(clamping: j["capture_stream"]?.intValue ?? 0)
        mediaApplied = j["media_applied"]
        holdMusicApplied = j["hold_music_applied"]
        audioAttached = j["audio_attached"]?.boolValue ?? false
        rtpState = j["rtp_state"]
        signaling = j["signaling"]
        dialArgs = j["dial_args"]
    }
}
