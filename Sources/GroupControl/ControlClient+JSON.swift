import Bus
import Wire

extension ControlClient {
    /// Sends a typed command and returns its typed result together with the JSON it came as (fields a later version
    /// adds included: what a client passes on as is). Throws as `request(_:timeout:)` does.
    public func requestKeepingJSON<C: WireCommand>(_ command: C, timeout: Duration = .seconds(5)) async throws
        -> (result: C.Result, json: JSONValue) {
        let value = try await request(C.name, args: command.jsonObject, timeout: timeout)
        return (try C.Result(wire: value, at: WirePath("result.")), value)
    }
}
