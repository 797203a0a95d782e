import ALSAAudio
import ArgumentParser
import AudioService
import ComponentRuntime
import Wire

/// sip-audio: the only process that touches sound devices (ALSA, or WAV files, or nothing). It opens them while
/// a call is attached, publishes the cleaned microphone signal per call and plays the calls' mixed audio.
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
        let service: AudioService
        do {
            service = try AudioService(runDirectory: runDir) { event in
                // Device trouble and bad frames go to the log too.
                switch event {
                case let e as AudioErrorEvent: logger.warning("\(AudioErrorEvent.type): \(e.message)")
                case let e as AudioDeviceLostEvent: logger.warning("\(AudioDeviceLostEvent.type): \(e.message)")
                case let e as AudioDeviceRestoredEvent: logger.notice("\(AudioDeviceRestoredEvent.type): \(e.direction) device \(e.device) is back")
                default: break
                }
                agent.emit(event)
            }
        } catch {
            logger.critical("cannot bind the PCM sockets: \(error)")
            throw ExitCode(1)
        }
        let reason = await agent.run(onConfigure: { configure in
                                         for problem in service.configure(configure) { logger.error("configuration: \(problem)") }
                                     },
                                     stats: { service.stats().jsonObject },
                                     requests: { await service.handle($0) })
        service.shutdown()
        if case .orchGone = reason { throw ExitCode(3) }
    }
}
