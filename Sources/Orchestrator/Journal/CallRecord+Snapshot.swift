import Foundation
import Wire

/// A call record as the orch journal stores it (docs/PROTOCOL.md §2, `state.json` and `state.log`): every field, so a
/// restarted orch knows the call as well as the one that died. Times are Unix seconds; `ended` and `answer_slot` are
/// not kept (a journal holds active calls only, and a slot does not outlive its worker's restart).
///
/// Reading is lenient where the old reader was: the identity and times must be there, a field of the wrong type is
/// taken as absent (a record is not lost over one odd field).
extension CallRecord: WireObject {
    public init(from r: WireReader) throws(WireError) {
        let created: Double = try r("created")
        self.init(id: try r("id"), direction: try r("direction"), state: try r("state"), remote: try r("remote"),
                  created: Date(timeIntervalSince1970: created))
        local = try? r.optional("local")
        worker = try? r.optional("worker")
        mediaPort = try? r.optional("media_port")
        codec = try? r.optional("codec")
        connected = try? r.optional("connected", as: Double.self)
            .map { Date(timeIntervalSince1970: $0) }
        sipStatus = try? r.optional("sip_status")
        reason = try? r.optional("reason")
        let playback: UInt32 = (try? r.optional("playback_stream")) ?? 0
        let capture: UInt32 = (try? r.optional("capture_stream")) ?? 0
        streams = PCMStreams(playback: StreamID(playback), capture: StreamID(capture))
        mediaApplied = try? r.optional("media_applied")
        holdMusicApplied = try? r.optional("hold_music_applied")
        audioAttached = (try? r.optional("audio_attached")) ?? false
        rtpState = try? r.optional("rtp_state")
        signaling = try? r.optional("signaling")
        dialArgs = try? r.optional("dial_args")
    }

    public func write(to w: inout WireWriter) {
        w("id", id)
        w("direction", direction)
        w("state", state)
        w("remote", remote)
        w("created", created.timeIntervalSince1970)
        w("playback_stream", streams.playback)
        w("capture_stream", streams.capture)
        w("audio_attached", audioAttached)
        w("local", local)
        w("worker", worker)
        w("media_port", mediaPort)
        w("codec", codec)
        w("connected", connected?.timeIntervalSince1970)
        w("sip_status", sipStatus)
        w("reason", reason)
        w("media_applied", mediaApplied)
        w("hold_music_applied", holdMusicApplied)
        w("rtp_state", rtpState)
        w("signaling", signaling)
        w("dial_args", dialArgs)
    }
}
