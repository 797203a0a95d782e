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
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request("devices")
            if json { print(jsonLine(r)); return }
            print("backend: \(r["backend"]?.stringValue ?? "?")  open: \(r["open"]?.boolValue == true ? "yes" : "no")")
            for direction in ["capture", "playback"] {
                guard let d = r[direction] else { continue }
                var line = "\(direction): \(d["device"]?.stringValue ?? "?") (\(d["state"]?.stringValue ?? "?"))"
                if let rate = d["rate"]?.intValue { line += " \(rate) Hz x\(d["channels"]?.intValue ?? 1)" }
                if let e = d["error"]?.stringValue { line += ": \(e)" }
                print(line)
            }
            for d in r["devices"]?.arrayValue ?? [] {
                let io = [d["playback"]?.boolValue == true ? "playback" : nil, d["capture"]?.boolValue == true ? "capture" : nil].compactMap { $0 }
                print("  \(d["name"]?.stringValue ?? "?")\t\(io.joined(separator: "+"))\t\(d["description"]?.stringValue ?? "")")
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
    func run() async throws { try await AudioControl.send("mute", instance: instance) }
}

struct Unmute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Unmute the microphone.")
    @OptionGroup var instance: InstanceOption
    func run() async throws { try await AudioControl.send("unmute", instance: instance) }
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
        var args: [String: JSONValue] = [:]
        for (key, value) in [("echo_cancellation", echoCancellation), ("noise_suppression", noiseSuppression), ("gain_control", gainControl)] {
            guard let value else { continue }
            guard let b = ["on": true, "off": false, "true": true, "false": false][value.lowercased()] else {
                throw ValidationError("--\(key.replacingOccurrences(of: "_", with: "-")) takes on or off")
            }
            args[key] = .bool(b)
        }
        if let inputGain { args["input_gain_db"] = .number(inputGain) }
        if let outputGain { args["output_gain_db"] = .number(outputGain) }
        try await AudioControl.send("audio", args: args, instance: instance)
    }
}

enum AudioControl {
    static func send(_ command: String, args: [String: JSONValue] = [:], instance: InstanceOption) async throws {
        do {
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request(command, args: args)
            print(jsonLine(r))
        } catch {
            printError("\(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
