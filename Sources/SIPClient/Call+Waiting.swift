/// Waiting for a call's milestones.
extension Call {
    /// Returns once the call is answered (`connected`, or `held`).
    ///
    /// Throws `SIPClientError.callFailed` with the SIP status and reason when the call ends first (486 Busy Here,
    /// 603 Decline, 404, a timeout at the peer, ...). After `timeout` the call is given up: hung up (so the far end
    /// stops ringing) and `SIPClientError.timeout` is thrown.
    public func waitForAnswer(timeout: Duration = .seconds(60)) async throws(SIPClientError) {
        enum Outcome: Sendable { case answered, ended }
        let states = stateChanges
        let outcome = await withTimeout(timeout) { () -> Outcome? in
            for await state in states {
                if state.isAnswered { return .answered }
                if state == .terminated { return .ended }
            }
            return nil
        } ?? nil
        switch outcome {
        case .answered:
            return
        case .ended:
            let t = termination
            throw .callFailed(callID: id, status: t?.status, reason: t?.reason ?? "ended")
        case nil:
            if Task.isCancelled { throw .cancelled }
            try? await hangup()
            throw .timeout(operation: "the answer to call \(id) (\(remoteURI))", after: timeout)
        }
    }

    /// Returns how the call ended, once it is over and its final media figures are in (at most about two seconds
    /// after the end). Throws only `SIPClientError.cancelled`, when the waiting task is cancelled.
    public func waitForEnd() async throws(SIPClientError) -> CallEnd {
        guard let end = await awaitEnd() else { throw .cancelled }
        return end
    }
}
