@testable import SIPClient
import Testing
import struct Wire.Event  // scoped: Wire's event types share names with the library's
import enum Wire.JSONValue

extension SIPClientTests {
    /// Bus events become the library's typed events as docs/PROTOCOL.md's "aggregated event stream" table says.
    @Suite struct EventDecodingTests {
        static func decode(_ type: String, _ data: [String: JSONValue]) -> SIPClientEvent {
            SIPClientEvent(decoding: Event(seq: 1, type: type, time: 0, data: data))
        }

        @Test func everyTableRowMapsToItsCase() {
            #expect((Self.decode("call.state", ["call": "c", "state": "ringing", "direction": "outgoing", "code": 180]).callStateChanged.map { e in e.state == .ringing && e.sipStatus == 180 } ?? false))
            #expect((Self.decode("registration.state", ["aor": "sip:a@b", "state": "failed", "code": 403, "retry_in_s": 30]).registrationStateChanged.map { e in e.state == .failed && e.sipStatus == 403 && e.retryIn == 30 } ?? false))
            #expect((Self.decode("media.stats", ["call": "c", "local_port": 20000, "codec": "PCMA", "jitter_ms": 1.5, "mos": 4.4]).mediaStatisticsUpdate.map { s in s.codec == "PCMA" && s.jitterMilliseconds == 1.5 && s.mos == 4.4 } ?? false))
            for type in ["media.started", "media.updated"] {
                let flow: [String: JSONValue] = ["call": "c", "local_port": 20000, "codec": "PCMA", "direction": "sendrecv", "remote": "127.0.0.1:40000"]
                #expect((Self.decode(type, flow).mediaStatisticsUpdate.map { s in s.codec == "PCMA" && s.packetsReceived == 0 && s.mos == nil } ?? false))
            }
            #expect((Self.decode("call.quality", ["call": "c", "mos": 4.2, "loss_pct": 1.5, "jitter_ms": 3, "packets_received": 100, "duration_s": 2.5, "remote": "sip:b@h"]).callQualityReport.map { r in r.mos == 4.2 && r.lossPercent == 1.5 && r.duration == .milliseconds(2500) && r.remote == "sip:b@h" } ?? false))
            for (type, change) in [("audio.device.opened", AudioDeviceChange.opened), ("audio.device.closed", .closed), ("audio.device.lost", .lost), ("audio.device.restored", .restored)] {
                // The fields of all four device events (each ignores those of the others).
                let device: [String: JSONValue] = ["direction": "capture", "device": "default", "backend": "alsa", "rate": 48000, "channels": 2,
                                                   "cause": "device_lost", "message": "unplugged", "fallback": "null", "retrying": true, "lost_ms": 1200]
                #expect((Self.decode(type, device).audioDeviceChanged.map { e in e.change == change && e.device == "default" } ?? false))
            }
            #expect((Self.decode("audio.level", ["capture": ["rms_dbfs": -20, "peak_dbfs": -6], "playback": ["rms_dbfs": -96, "peak_dbfs": -96], "muted": true]).audioLevelChanged.map { l in l.captureRMS == -20 && l.muted } ?? false))
            #expect((Self.decode("audio.error", ["cause": "device_busy", "message": "busy: close the other program"]).audioPipelineError.map { e in e.cause == "device_busy" } ?? false))
            #expect((Self.decode("audio.xrun", ["capture_xruns": 2, "playback_xruns": 0, "message": "recovered"]).audioPipelineError.map { e in e.cause == "xrun" && e.message.contains("capture xruns 2") } ?? false))
            #expect((Self.decode("audio.stream.started", ["call": "c", "playback": 2, "capture": 3, "microphone": true]).audioStreamStarted.map { e in e.captureStream == 3 } ?? false))
            #expect((Self.decode("audio.stream.stopped", ["call": "c", "reason": "detached"]).audioStreamStopped.map { e in e.reason == "detached" } ?? false))
            #expect((Self.decode("dtmf.received", ["call": "c", "digit": "#", "method": "rfc4733"]).dtmfReceived.map { e in e.digit == "#" && e.callID == "c" } ?? false))
            for (type, change) in [("component.up", ComponentChange.up), ("component.down", .down), ("component.restarted", .restarted), ("component.hung", .hung), ("component.degraded", .degraded)] {
                // The fields of all five component events (each ignores those of the others).
                let component: [String: JSONValue] = ["name": "rtp-1", "role": "rtp", "pid": 42, "restarts": 1, "reason": "exited with status 1",
                                                      "restart_in_ms": 500, "exits_in_window": 5, "window_s": 60, "message": "crash loop"]
                #expect((Self.decode(type, component).componentRestarted.map { e in e.change == change && e.pid == 42 } ?? false))
            }
            let moved = Self.decode("call.media.moved", ["call": "c", "worker": "rtp-2", "port": 20004, "message": "rtp-1 restarted"])
            #expect(moved.kind == .mediaMoved && moved.mediaMoved == MediaRelocationEvent(callID: "c", worker: "rtp-2", port: 20004, message: "rtp-1 restarted"))
            #expect(moved.callID == "c")
            let lost = Self.decode("call.media.lost", ["call": "c", "worker": "rtp-1", "message": "no port free"])
            #expect(lost.kind == .mediaLost && lost.mediaLost?.worker == "rtp-1" && lost.mediaLost?.port == nil)
            let degraded = Self.decode("call.quality.degraded", ["call": "c", "loss_pct": 12.5, "seconds": 5, "codec": "PCMU", "message": "check the network"])
            #expect(degraded.callQualityDegraded == CallQualityDegradedEvent(callID: "c", lossPercent: 12.5, seconds: 5, codec: "PCMU", message: "check the network"))
            let fallback = Self.decode("call.codec.fallback", ["call": "c", "from": "PCMU", "to": "PCMA", "accepted": true])
            #expect(fallback.codecFallback == CodecFallbackEvent(callID: "c", from: "PCMU", to: "PCMA", accepted: true, message: nil))
            let unknown = Self.decode("call.teleported", ["call": "c", "to": "mars"])
            #expect(unknown.kind == .other && unknown.untyped?.type == "call.teleported" && unknown.untyped?.data["to"] == "mars" && unknown.callID == "c")
            #expect(Self.decode("call.state", ["call": "c", "state": "teleporting", "direction": "incoming"]).kind == .other, "unknown states are kept, untyped")
            let broken = Self.decode("dtmf.received", ["call": "c", "digit": 7, "method": "rfc4733"])
            #expect(broken.kind == .other && broken.callID == "c", "an event that does not fit its type is kept, untyped")
        }
    }
}
