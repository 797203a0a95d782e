import Wire

extension SIPClientError {
    /// Translates a bus error from a request to orch into the library's error.
    static func from(_ error: any Error, command: String, timeout: Duration, instance: String) -> SIPClientError {
        if let e = error as? SIPClientError { return e }
        if let wire = error as? WireError {
            if wire.code == .timeout { return .timeout(operation: "the instance's answer to '\(command)'", after: timeout) }
            return .requestFailed(command: command, code: wire.code.rawValue, message: wire.message)
        }
        if error is CancellationError { return .cancelled }
        return .instanceUnavailable(instance: instance, reason: "\(error)")
    }
}
