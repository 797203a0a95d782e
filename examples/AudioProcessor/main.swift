// AudioProcessor: processes a call's audio in this program. It reads the peer's decoded frames from
// `audioStream()`, applies a gain and an echo (a 250 ms feedback delay line), and sends the result back in place
// of the microphone, so the caller hears themselves, louder and echoing.
//
//     AudioProcessor [sip:peer@host:port] [--gain-db 6] [--identity sip:fx@127.0.0.1] [--listen HOST:PORT] [--instance NAME]
//
// With a URI it calls it; without, it answers the next incoming call. It runs until the call ends.
import Foundation
import SIPClient

/// A gain and a feedback echo on 8 kHz samples: y[n] = g·x[n] + feedback·y[n − delay], saturated to 16 bits.
struct EchoEffect {
    var gain: Double
    var feedback = 0.4
    private var line: [Double]
    private var position = 0

    init(gainDB: Double, delayMilliseconds: Int = 250) {
        gain = pow(10, gainDB / 20)
        line = Array(repeating: 0, count: max(1, delayMilliseconds * 8))
    }

    mutating func process(_ input: [Int16]) -> [Int16] {
        input.map { sample in
            let y = gain * Double(sample) + feedback * line[position]
            line[position] = y
            position = (position + 1) % line.count
            return Int16(max(-32768, min(32767, y.rounded())))
        }
    }
}

let args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
/// The positional argument: the URI to call (values of `--options` do not count).
let uri = args.indices.first { i in !args[i].hasPrefix("--") && (i == 0 || !args[i - 1].hasPrefix("--")) }.map { args[$0] }
let identity = option("identity") ?? ProcessInfo.processInfo.environment["SIP_IDENTITY"] ?? "sip:fx@127.0.0.1"
let gainDB = option("gain-db").flatMap(Double.init) ?? 6

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("AudioProcessor: \(message)\n".utf8))
    exit(1)
}

let client: SIPClient
do {
    var builder = SIPClientBuilder.headlessAgent.identity(identity).autoAnswer(false)
    if let listen = option("listen") { builder = builder.sipListen(listen) }
    if let instance = option("instance") { builder = builder.instance(instance) }
    client = try await SIPClient(configuration: builder.build())
} catch {
    fail("\(error)")
}

/// Places or answers the call, then runs its audio through the effect until the call ends.
func process(with client: SIPClient) async throws(SIPClientError) {
    let call: Call
    if let uri {
        call = try await client.call(uri)
    } else {
        print("waiting for a call on instance \(client.instanceName)")
        var next: Call?
        for await incoming in client.incomingCalls {
            next = incoming
            break
        }
        guard let incoming = next else { return }
        try await incoming.answer()
        call = incoming
    }
    try await call.waitForAnswer()
    print("processing call \(call.id) with \(call.remoteURI)")
    let audio = try await call.audioStream()
    var effect = EchoEffect(gainDB: gainDB)
    var frames = 0
    for await frame in audio {
        // Silence (no packet in time) still goes through the effect, so the echo tail keeps ringing.
        try await audio.send(effect.process(frame.samples))
        frames += 1
    }
    let end = try await call.waitForEnd()
    print("call ended after \(frames) frames: \(end.reason)")
}

var status: Int32 = 0
do {
    try await process(with: client)
} catch {
    FileHandle.standardError.write(Data("AudioProcessor: \(error)\n".utf8))
    status = 1
}
await client.shutdown()
exit(status)
