/// Everything the library can fail with. Each case carries what went wrong, and its `description` says what to
/// do about it, so a log line or an alert is enough to fix the problem without reading the source.
public enum SIPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The identity is not a SIP address of record (`sip:user@host`).
    case invalidIdentity(identity: String, problem: String)
    /// A setting of the builder (or a configuration key it sets) cannot be used.
    case invalidConfiguration(setting: String, problem: String, fix: String)
    /// A call target is not a SIP URI.
    case invalidTarget(uri: String, problem: String)
    /// A per-call SDP attribute cannot be sent.
    case invalidSDPAttribute(attribute: String, problem: String)
    /// DTMF digits outside `0-9 * # A-D`.
    case invalidDTMF(digits: String)
    /// Samples handed to `CallAudioStream.send` do not fit the call's format (8 kHz mono, 20 ms frames).
    case invalidAudioFrame(problem: String)
    /// The instance is neither running nor could it be started.
    case startFailed(instance: String, reason: String)
    /// The instance is running but the configuration asked for a group of its own.
    case instanceAlreadyRunning(instance: String)
    /// The instance's orchestrator does not answer (stopped, crashed or restarting).
    case instanceUnavailable(instance: String, reason: String)
    /// The orchestrator refused or could not carry out a command.
    case requestFailed(command: String, code: String, message: String)
    /// Something did not happen within its time limit.
    case timeout(operation: String, after: Duration)
    /// Registration with the registrar failed (wrong password, unreachable registrar, ...).
    case registrationFailed(aor: String, reason: String)
    /// The call ended without being answered: busy, declined, not found, cancelled, ...
    case callFailed(callID: String, status: Int?, reason: String)
    /// The call is over, so the operation has nothing to act on.
    case callEnded(callID: String)
    /// The call has no media (yet): no worker carries it.
    case mediaUnavailable(callID: String, reason: String)
    /// The client was shut down.
    case clientShutDown
    /// The waiting task was cancelled.
    case cancelled

    /// The cause and, after "Fix:", what to do.
    public var description: String {
        switch self {
        case .invalidIdentity(let identity, let problem):
            return "identity '\(identity)' is not usable: \(problem). Fix: give a SIP address of record with a user and a host, "
                + "e.g. sip:alice@example.com"
        case .invalidConfiguration(let setting, let problem, let fix):
            return "\(setting): \(problem). Fix: \(fix)"
        case .invalidTarget(let uri, let problem):
            return "cannot call '\(uri)': \(problem). Fix: give a SIP URI with a host, e.g. sip:bob@192.0.2.10:5060"
        case .invalidSDPAttribute(let attribute, let problem):
            return "SDP attribute '\(attribute)' cannot be sent: \(problem). Fix: write NAME[:VALUE] on one line, e.g. \"a=x-foo:bar\" "
                + "(at most 10 attributes of 200 characters)"
        case .invalidDTMF(let digits):
            return "DTMF digits '\(digits)' are not valid. Fix: use only 0-9, *, # and A-D, e.g. \"123#\""
        case .invalidAudioFrame(let problem):
            return "audio frame refused: \(problem). Fix: send 8000 Hz mono 16-bit samples; 160 samples make one 20 ms frame"
        case .startFailed(let instance, let reason):
            return "could not start instance '\(instance)': \(reason). Fix: check that sip-orch, sip-sig, sip-rtp and sip-audio are "
                + "in $SIPC_BIN_DIR, beside the program or on $PATH, and that the SIP and RTP ports are free"
        case .instanceAlreadyRunning(let instance):
            return "instance '\(instance)' is already running, and this configuration asked for a group of its own. Fix: choose "
                + "another instance name, stop it with 'sipc down --instance \(instance)', or allow attaching (attachIfRunning(true))"
        case .instanceUnavailable(let instance, let reason):
            return "instance '\(instance)' does not answer: \(reason). Fix: check 'sipc status --instance \(instance)' and its logs, "
                + "or start it with 'sipc up --instance \(instance)'"
        case .requestFailed(let command, let code, let message):
            return "'\(command)' failed (\(code)): \(message). Fix: \(Self.fix(forCode: code))"
        case .timeout(let operation, let after):
            return "\(operation) did not complete within \(after). Fix: check that the peer or instance is reachable, or allow "
                + "more time"
        case .registrationFailed(let aor, let reason):
            return "registration of \(aor) failed: \(reason). Fix: check the password, the user name, and that the registrar "
                + "is reachable (credentials(user:password:), registrar(_:))"
        case .callFailed(let callID, let status, let reason):
            let code = status.map { "SIP \($0), " } ?? ""
            return "call \(callID) was not answered (\(code)\(reason)). Fix: \(Self.fix(forStatus: status))"
        case .callEnded(let callID):
            return "call \(callID) has ended. Fix: place or answer a new call"
        case .mediaUnavailable(let callID, let reason):
            return "call \(callID) has no media: \(reason). Fix: wait until the call is answered (waitForAnswer()) before "
                + "asking for its audio"
        case .clientShutDown:
            return "the SIP client was shut down. Fix: create a new SIPClient"
        case .cancelled:
            return "the wait was cancelled. Fix: none needed if you cancelled the task on purpose"
        }
    }

    /// What a user can do about an orchestrator error code (docs/PROTOCOL.md, "Error codes").
    static func fix(forCode code: String) -> String {
        switch code {
        case "bad_args": "correct the argument the message names"
        case "not_found": "the call or account is gone; list calls with activeCalls()"
        case "unavailable": "a component of the instance is restarting; try again in a moment"
        case "failed": "the SIP peer refused; see the reason above"
        case "unknown_command": "update sip-orch: this library needs a newer instance"
        default: "see the instance's logs (orch.log, sig.log) in its run directory"
        }
    }

    /// What a caller can do about a final SIP status.
    static func fix(forStatus status: Int?) -> String {
        switch status {
        case 486, 600: "the callee is busy; try again later"
        case 603: "the callee declined the call"
        case 404, 604: "check the user part of the URI"
        case 401, 407: "give credentials for this call or register an account"
        case 408, 480: "the callee did not answer in time or is offline; try again later"
        case 487: "the call was cancelled before it was answered"
        case 488, 606: "offer a codec the callee accepts (CallOptions(codecs:))"
        case 503: "the callee is overloaded; try again in a few seconds"
        default: "check the URI and that the callee is reachable"
        }
    }
}
