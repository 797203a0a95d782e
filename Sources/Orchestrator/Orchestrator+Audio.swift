import Foundation
import Wire

/// The sound devices of the group: orch attaches a call's PCM streams to sip-audio when its media starts and
/// detaches them when it ends (sip-audio opens the devices only while some call is attached), and forwards
/// the user's audio commands (devices, mute, gains, voice processing).
extension Orchestrator {
    func attachAudio(_ record: CallRecord) {
        guard !record.audioAttached, let audio = core.upComponents(role: "audio").first else { return }
        calls.update(record.id) { $0.audioAttached = true }
        let args: [String: JSONValue] = ["call": .string(record.id),
                                         "streams": record.streamsJSON]
        Task {
            let reply = await self.requestComponent(audio, "audio.attach", args, timeout: .seconds(2))
            if case .failure(let e) = reply.outcome { self.logger.warning("audio.attach failed", metadata: ["call": "\(record.id)", "error": "\(e)"]) }
        }
    }

    func detachAudio(_ record: CallRecord) {
        guard record.audioAttached || calls.active[record.id]?.audioAttached == true,
              let audio = core.upComponents(role: "audio").first else { return }
        calls.update(record.id) { $0.audioAttached = false }
        Task { _ = await self.requestComponent(audio, "audio.detach", ["call": .string(record.id)], timeout: .seconds(2)) }
    }

    func answerAudioCommand(_ request: Request) async -> Reply {
        guard let audio = core.upComponents(role: "audio").first else {
            return Reply(id: request.id, error: WireError(.unavailable, "sip-audio is not up (restarting?); try again in a moment"))
        }
        let forward: (command: String, args: [String: JSONValue])
        switch request.command {
        case "devices": forward = ("audio.devices", [:])
        case "mute": forward = ("audio.set", ["mute": true])
        case "unmute": forward = ("audio.set", ["mute": false])
        case "audio": forward = ("audio.set", request.args)
        case "audio_state": forward = ("audio.state", [:])
        case "audio_attach": forward = ("audio.attach", request.args)
        default: forward = ("audio.detach", request.args)
        }
        return Reply(id: request.id, outcome: await requestComponent(audio, forward.command, forward.args, timeout: .seconds(3)).outcome)
    }
}
