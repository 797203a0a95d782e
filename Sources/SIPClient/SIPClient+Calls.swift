import Wire

/// Placing, receiving and listing calls.
extension SIPClient {
    /// Calls `uri` (`sip:bob@192.0.2.10:5060`, or `bob@192.0.2.10`) and returns as soon as the INVITE is out; the
    /// returned `Call` follows it from its first state. Wait with `waitForAnswer()`.
    ///
    /// The call goes out from the client's registered account when there is one (else sip-sig's own address).
    public func call(_ uri: String, options: CallOptions = CallOptions()) async throws(SIPClientError) -> Call {
        let target = try SIPURIParts.target(uri)
        try options.validate()
        guard !core.isClosed else { throw .clientShutDown }
        let call = Call(id: ClientCore.newCallID(), remoteURI: target, direction: .outgoing, state: .dialing, core: core)
        core.register(call)
        // Credentials go out only as a pair (validate() refused one without the other).
        let credentials = options.authUser.flatMap { user in options.password.map { (user, $0) } }
        let dial = OrchAPI.Call(to: target, from: options.from ?? core.account.withLock({ $0?.aor }), call: call.callID,
                                codecs: options.wireCodecs, sdpAttributes: options.wireAttributes,
                                authUser: credentials?.0, password: credentials?.1)
        do {
            _ = try await core.request(dial, timeout: .seconds(15))
        } catch {
            call.clientClosed(reason: "the call could not be placed: \(error)")
            throw error
        }
        return call
    }

    /// Calls that arrive from now on, one `Call` each, to answer or reject. Each access gives a new stream; it
    /// finishes at `shutdown()`. With auto-answer on, they arrive already being answered.
    ///
    ///     for await incoming in client.incomingCalls { try await incoming.answer() }
    public var incomingCalls: AsyncStream<Call> { core.incoming.stream() }

    /// The instance's calls in progress, including ones placed before this client attached (by `sipc` or
    /// another client); those are followed from now on.
    public func activeCalls() async throws(SIPClientError) -> [Call] {
        return try await core.request(OrchAPI.Calls()).calls.compactMap { record -> Call? in
            let id = record.callID.rawValue
            if let known = core.call(id) { return known }
            let state = CallState(wire: record.state.rawValue) ?? .dialing
            guard state != .terminated else { return nil }
            let call = Call(id: id, remoteURI: record.remote, direction: CallDirection(record.direction), state: state, core: core)
            core.register(call)
            return call
        }
    }
}
