import ArgumentParser
import CLISupport
import GroupControl
import Wire

/// `sipc devices`: the sound devices sip-audio sees and the state of the ones it uses.
struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List audio devices and the state of the open ones.")
    @OptionGroup var instance: InstanceOption
    @Flag(help: "One JSON object, as the audio.devices command returns it.") var json = false

    func run() async throws {
        do {
            let (r, raw) = try await InstanceHandle(runDirectory: instance.runDirectory).requestKeepingJSON(OrchAPI.Devices())
            if json { print(jsonLine(raw)); return }
            print("backend: \(r.report.backend)  open: \(r.report.open ? "yes" : "no")")
            for (direction, d) in [("capture", r.report.capture), ("playback", r.report.playback)] {
                var line = "\(direction): \(d.device) (\(d.state))"
                if let rate = d.rate { line += " \(rate) Hz x\(d.channels ?? 1)" }
                if let e = d.error { line += ": \(e)" }
                print(line)
            }
            for d in r.devices {
                let io = [d.playback ? "playback" : nil, d.capture ? "capture" : nil].compactMap { $0 }
                print("  \(d.name)\t\(io.joined(separator: "+"))\t\(d.description)")
            }
        } catch {
            printError("\(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}

/// `sipc mute` / `sipc unmute`: the microphone of every call.
struct Mute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mute the microphone (calls get silence).")
    @OptionGroup var instance: InstanceOption
    func run() async throws { try await AudioControl.send(OrchAPI.Mute(), instance: instance) }
}

struct Unmute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Unmute the microphone.")
    @OptionGroup var instance: InstanceOption
    func run() async throws { try await AudioControl.send(OrchAPI.Unmute(), instance: instance) }
}

/// `sipc audio [--echo-cancellation on|off] [--input-gain DB] ...`: voice processing and gains at run time.
struct Audio: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show or change the audio controls (gains, echo cancellation, noise suppression, AGC).")
    @OptionGroup var instance: InstanceOption
    @Option(help: "on or off") var echoCancellation: String?
    @Option(help: "on or off") var noiseSuppression: String?
    @Option(help: "on or off") var gainControl: String?
    @Option(help: "Microphone gain in dB (-40 to 40).") var inputGain: Double?
    @Option(help: "Loudspeaker gain in dB (-40 to 40).") var outputGain: Double?

    func run() async throws {
        let controls = AudioAPI.SetControls(inputGainDB: inputGain, outputGainDB: outputGain,
                                            echoCancellation: try Self.switch(echoCancellation, "echo-cancellation"),
                                            noiseSuppression: try Self.switch(noiseSuppression, "noise-suppression"),
                                            gainControl: try Self.switch(gainControl, "gain-control"))
        try await AudioControl.send(OrchAPI.Audio(controls), instance: instance)
    }

    /// `on` / `off` (or `true` / `false`) of the option `--flag`; nil when it was not given.
    private static func `switch`(_ value: String?, _ flag: String) throws -> Bool? {
        guard let value else { return nil }
        switch value.lowercased() {
        case "on", "true": return true
        case "off", "false": return false
        default: throw ValidationError("--\(flag) takes on or off")
        }
    }
}

enum AudioControl {
    /// Sends one of the audio controls' commands and prints the controls it answers, as they came.
    static func send<C: WireCommand>(_ command: C, instance: InstanceOption) async throws where C.Result == AudioAPI.Controls {
        do {
            let (_, raw) = try await InstanceHandle(runDirectory: instance.runDirectory).requestKeepingJSON(command)
            print(jsonLine(raw))
        } catch {
            printError("\(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
