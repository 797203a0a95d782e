import Wire

extension ControlClient {
    /// Sends a typed command and decodes its typed result; throws the peer's `WireError`, `timeout`, or `malformed`
    /// when the result does not fit the command's result type.
    public func request<C: WireCommand>(_ command: C, timeout: Duration = .seconds(5)) async throws -> C.Result {
        let value = try await request(C.name, args: command.jsonObject, timeout: timeout)
        return try C.Result(wire: value, at: WirePath("result."))
    }

    /// Sends an event to orch (components publish through orch, which adds `seq` and `source`).
    public func send<E: WireEvent>(event: E, time: Double) {
        send(.event(Event(seq: 0, time: time, event)))
    }
}

extension EventPublisher {
    /// Publishes a typed event with the next sequence number.
    @discardableResult
    public func publish<E: WireEvent>(_ event: E) -> Event {
        publish(E.type, event.jsonObject)
    }
}
