// CallCentreAgent: a headless agent that registers (when credentials are given), answers every call and logs
// each call's quality report (MOS, jitter, loss) when it ends. With --transfer-to, it hands every call over to that
// queue (blind transfer, REFER) --transfer-after seconds after answering, or at once when the caller presses 0.
// Stops cleanly on Ctrl-C or SIGTERM.
//
//     CallCentreAgent --identity sip:agent7@pbx.example.com [--user agent7 --password secret] [--registrar sip:pbx.example.com]
//                     [--listen 0.0.0.0:5070] [--instance agent7] [--prompt prompt.wav]
//                     [--transfer-to sip:queue@pbx.example.com [--transfer-after 5]]
import Foundation
import SIPClient

/// `--name value` pairs of the command line.
func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func log(_ line: String) {
    // Written at once (not buffered), so a log collector sees each line as it happens.
    FileHandle.standardOutput.write(Data("\(ISO8601DateFormatter().string(from: Date())) \(line)\n".utf8))
}

guard let identity = option("identity") else {
    FileHandle.standardError.write(Data("usage: CallCentreAgent --identity sip:agent@host [--user U --password P] [--registrar URI] [--listen HOST:PORT] [--instance NAME] [--prompt FILE.wav]\n".utf8))
    exit(2)
}

var builder = SIPClientBuilder.headlessAgent.identity(identity)
if let password = option("password") { builder = builder.credentials(user: option("user") ?? "", password: password) }
if let registrar = option("registrar") { builder = builder.registrar(registrar) }
if let listen = option("listen") { builder = builder.sipListen(listen) }
if let instance = option("instance") { builder = builder.instance(instance) }
if let prompt = option("prompt") { builder = builder.audioBackend(.file(input: prompt, output: nil)) }

let client: SIPClient
do {
    client = try await SIPClient(configuration: try builder.build())
} catch {
    FileHandle.standardError.write(Data("CallCentreAgent: \(error)\n".utf8))
    exit(1)
}
log("agent \(identity) ready on instance \(client.instanceName)\(client.configuration.account != nil ? " (registered)" : "")")

// Ctrl-C / SIGTERM: stop the client (and the group it started). Its event stream then finishes, which ends the
// loop below; the program waits there until the shutdown is complete.
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let signals = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: .main) }
for source in signals {
    source.setEventHandler {
        Task {
            log("stopping")
            await client.shutdown()
        }
    }
    source.resume()
}

let transferTarget = option("transfer-to")
let transferAfter = Double(option("transfer-after") ?? "5") ?? 5
var calls: [String: Call] = [:]

/// Hands a call over to the queue; the call ends by itself once the queue answered (a `.transferProgress` event).
func transfer(_ call: Call, why: String) {
    guard let target = transferTarget else { return }
    Task {
        do {
            try await call.transfer(to: target)
            log("call \(call.id): transfer to \(target) accepted (\(why))")
        } catch {
            log("call \(call.id): transfer to \(target) failed: \(error)")
        }
    }
}

for await event in client.events {
    switch event.kind {
    case .incomingCall:
        guard let e = event.incomingCall else { break }
        calls[e.call.id] = e.call
        log("call \(e.call.id) from \(e.from): answering")
    case .callStateChanged:
        guard let e = event.callStateChanged else { break }
        if e.state == .connected {
            log("call \(e.callID) connected (\(e.codec ?? "?"))")
            if transferTarget != nil, let call = calls[e.callID] {
                Task {
                    try? await Task.sleep(for: .seconds(transferAfter))
                    if await call.state == .connected { transfer(call, why: "after \(transferAfter) s") }
                }
            }
        } else if e.state == .terminated {
            calls[e.callID] = nil
            log("call \(e.callID) ended: \(e.reason ?? "-")")
        }
    case .dtmfReceived:
        if let e = event.dtmfReceived, e.digit == "0", let call = calls[e.callID] { transfer(call, why: "caller pressed 0") }
    case .transferProgress:
        if let t = event.transferProgress, t.isFinal {
            log("call \(t.callID): transfer \(t.succeeded == true ? "done" : "failed") (\(t.code) \(t.reason))")
        }
    case .callQualityReport:
        guard let r = event.callQualityReport else { break }
        let mos = r.mos.map { String(format: "%.2f", $0) } ?? "n/a"
        log("quality of call \(r.callID): MOS \(mos), jitter \(String(format: "%.1f", r.jitterMilliseconds)) ms, loss \(String(format: "%.2f", r.lossPercent)) %")
    case .callQualityDegraded:
        if let d = event.callQualityDegraded { log("call \(d.callID): \(String(format: "%.1f", d.lossPercent)) % loss for \(d.seconds) s: \(d.message)") }
    case .mediaMoved, .mediaLost:
        if let m = event.mediaMoved ?? event.mediaLost { log("call \(m.callID): media \(event.kind == .mediaMoved ? "moved to" : "lost on") \(m.worker): \(m.message)") }
    case .registrationStateChanged:
        guard let e = event.registrationStateChanged else { break }
        log("registration of \(e.aor): \(e.state)\(e.reason.map { " (\($0))" } ?? "")")
    case .componentRestarted:
        if let e = event.componentRestarted, e.change != .up { log("component \(e.name) \(e.change.rawValue)\(e.reason.map { ": \($0)" } ?? "")") }
    default:
        break
    }
}
await client.shutdown()
log("stopped")
