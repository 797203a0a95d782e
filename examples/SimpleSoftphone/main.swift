// SimpleSoftphone: calls a SIP URI, waits for the answer, hangs up after N seconds.
//
//     SimpleSoftphone sip:bob@127.0.0.1:5062 [seconds]      (identity from $SIP_IDENTITY)
//
// Attaches to the running instance ($SIPC_INSTANCE, else "default") or starts one for the call, and stops what it
// started before exiting, also when the call fails.
import Foundation
import SIPClient

func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("SimpleSoftphone: \(message)\n".utf8))
    exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let uri = arguments.first else { fail("usage: SimpleSoftphone sip:user@host[:port] [seconds]", status: 2) }
let seconds = arguments.dropFirst().first.flatMap(Double.init) ?? 5
let identity = ProcessInfo.processInfo.environment["SIP_IDENTITY"] ?? "sip:softphone@127.0.0.1"

let client: SIPClient
do { client = try await SIPClient(identity: identity) } catch { fail("\(error)") }
var status: Int32 = 0
do {
    let call = try await client.call(uri)
    try await call.waitForAnswer()
    try await Task.sleep(for: .seconds(seconds))
    try await call.hangup()
    let end = try await call.waitForEnd()
    print("call ended: \(end.reason); MOS \(end.statistics?.mos.map { String($0) } ?? "-")")
} catch {
    FileHandle.standardError.write(Data("SimpleSoftphone: \(error)\n".utf8))
    status = 1
}
await client.shutdown()
exit(status)
