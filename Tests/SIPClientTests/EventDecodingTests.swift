@testable import SIPClient
import Testing
import Wire

extension SIPClientTests {
    /// Bus events become the library's typed events as docs/PROTOCOL.md's "aggregated event stream" table says.
    @Suite struct EventDecodingTests {
        static func decode(_ type: String, _ data: [String: JSONValue]) -> SIPClientEvent {
            SIPClientEvent(decoding: Event(seq: 1, type: type, time: 0, data: data))
        }

        @Test func everyTableRowMapsToItsCase() {
            #expect({ if case .callStateChanged(let e) = Self.decode("call.state", ["call": "c", "state": "ringing", "direction": "outgoing", "code": 180]) { e.state == .ringing && e.sipStatus == 180 } else { false } }())
            #expect({ if case .registrationStateChanged(let e) = Self.decode("registration.state", ["aor": "sip:a@b", "state": "failed", "code": 403, "retry_in_s": 30]) { e.state == .failed && e.sipStatus == 403 && e.retryIn == 30 } else { false } }())
            for type in ["media.stats", "media.started", "media.updated"] {
                #expect({ if case .mediaStatisticsUpdate(let s) = Self.decode(type, ["call": "c", "codec": "PCMA", "jitter_ms": 1.5, "mos": 4.4]) { s.codec == "PCMA" && s.jitterMilliseconds == 1.5 } else { false } }())
            }
            #expect({ if case .callQualityReport(let r) = Self.decode("call.quality", ["call": "c", "mos": 4.2, "loss_pct": 1.5, "jitter_ms": 3, "packets_received": 100, "duration_s": 2.5, "remote": "sip:b@h"]) { r.mos == 4.2 && r.lossPercent == 1.5 && r.duration == .milliseconds(2500) && r.remote == "sip:b@h" } else { false } }())
            for (type, change) in [("audio.device.opened", AudioDeviceChange.opened), ("audio.device.closed", .closed), ("audio.device.lost", .lost), ("audio.device.restored", .restored)] {
                #expect({ if case .audioDeviceChanged(let e) = Self.decode(type, ["direction": "capture", "device": "default"]) { e.change == change && e.device == "default" } else { false } }())
            }
            #expect({ if case .audioLevelChanged(let l) = Self.decode("audio.level", ["capture": ["rms_dbfs": -20, "peak_dbfs": -6], "playback": ["rms_dbfs": -96, "peak_dbfs": -96], "muted": true]) { l.captureRMS == -20 && l.muted } else { false } }())
            #expect({ if case .audioPipelineError(let e) = Self.decode("audio.error", ["cause": "device_busy", "message": "busy: close the other program"]) { e.cause == "device_busy" } else { false } }())
            #expect({ if case .audioPipelineError(let e) = Self.decode("audio.xrun", ["capture_xruns": 2, "playback_xruns": 0, "message": "recovered"]) { e.cause == "xrun" && e.message.contains("capture xruns 2") } else { false } }())
            #expect({ if case .audioStreamStarted(let e) = Self.decode("audio.stream.started", ["call": "c", "playback": 2, "capture": 3]) { e.captureStream == 3 } else { false } }())
            #expect({ if case .audioStreamStopped(let e) = Self.decode("audio.stream.stopped", ["call": "c", "reason": "detached"]) { e.reason == "detached" } else { false } }())
            #expect({ if case .dtmfReceived(let e) = Self.decode("dtmf.received", ["call": "c", "digit": "#"]) { e.digit == "#" && e.callID == "c" } else { false } }())
            for (type, change) in [("component.up", ComponentChange.up), ("component.down", .down), ("component.restarted", .restarted), ("component.hung", .hung), ("component.degraded", .degraded)] {
                #expect({ if case .componentRestarted(let e) = Self.decode(type, ["name": "rtp-1", "role": "rtp", "pid": 42]) { e.change == change && e.pid == 42 } else { false } }())
            }
            #expect({ if case .other(let type, let data) = Self.decode("call.media.moved", ["call": "c", "worker": "rtp-2"]) { type == "call.media.moved" && data["worker"] == "rtp-2" } else { false } }())
            #expect({ if case .other = Self.decode("call.state", ["call": "c", "state": "teleporting"]) { true } else { false } }(), "unknown states are kept, untyped")
        }
    }
}
