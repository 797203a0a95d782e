import ArgumentParser
import AudioIO
import ComponentRuntime
import Wire

/// sip-audio: the only process that touches sound devices. In this build it runs the null backend:
/// it validates and counts the PCM frames sent to it and reports the counters in its heartbeats.
@main
struct SipAudio: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sip-audio", abstract: "Audio I/O (started by sip-orch).")

    @Option var instance: String = "default"
    @Option var runDir: String?
    @Option var name: String = "audio"
    @Option var logLevel: String = "info"
    @Flag(help: "List ALSA PCM devices and exit.") var listDevices = false

    func run() async throws {
        if listDevices {
            for d in ALSADevices.list() {
                print("\(d.name)\t\(d.playback ? "playback" : "")\(d.playback && d.capture ? "+" : "")\(d.capture ? "capture" : "")\t\(d.description)")
            }
            return
        }
        guard let runDir else { throw ValidationError("--run-dir is required (sip-audio is started by sip-orch)") }
        let options = ComponentOptions(instance: instance, runDirectory: runDir, name: name, logLevel: logLevel)
        let (agent, logger) = options.makeAgent(role: "audio")
        let sink: PlaybackSink
        do {
            sink = try PlaybackSink(bindTo: InstanceEndpoints(runDirectory: runDir).audioPlayback)
        } catch {
            logger.critical("cannot bind the playback frame socket: \(error)")
            throw ExitCode(1)
        }
        let reason = await agent.run(stats: {
            let s = sink.stats
            var stats: [String: JSONValue] = ["backend": "null", "frames_in": .init(s.frames), "frames_malformed": .init(s.malformed)]
            if let e = s.lastError { stats["last_frame_error"] = .string(e) }
            return stats
        })
        sink.shutdown()
        if case .orchGone = reason { throw ExitCode(3) }
    }
}
