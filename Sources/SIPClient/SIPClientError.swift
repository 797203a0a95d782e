/// Everything the library can fail with. Each error carries what went wrong, and its `description` says what to
/// do about it, so a log line or an alert is enough to fix the problem without reading the source.
///
/// A struct rather than an enum, so later versions can add kinds of errors without breaking a `switch` in your code:
/// compare `kind` (`if error.kind == .callFailed`), and read the details through the properties (`callID`,
/// `sipStatus`, `reason`, ...). Errors are made with the static functions (`throw .callEnded(callID: id)`).
public struct SIPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Reason: Sendable, Equatable {
        case invalidIdentity(identity: String, problem: String)
        case invalidConfiguration(setting: String, problem: String, fix: String)
        case invalidTarget(uri: String, problem: String)
        case invalidSDPAttribute(attribute: String, problem: String)
        case invalidDTMF(digits: String)
        case invalidAudioFrame(problem: String)
        case startFailed(instance: String, reason: String)
        case instanceAlreadyRunning(instance: String)
        case instanceUnavailable(instance: String, reason: String)
        case requestFailed(command: String, code: String, message: String)
        case timeout(operation: String, after: Duration)
        case registrationFailed(aor: String, reason: String)
        case callFailed(callID: String, status: Int?, reason: String)
        case callEnded(callID: String)
        case mediaUnavailable(callID: String, reason: String)
        case clientShutDown
        case cancelled
    }

    let reason: Reason

    init(_ reason: Reason) { self.reason = reason }

    /// Which kind of error this is. Kinds a later version adds compare unequal to all of these.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The identity is not a SIP address of record (`sip:user@host`).
        public static let invalidIdentity = Kind(name: "invalidIdentity")
        /// A setting of the builder (or a configuration key it sets) cannot be used.
        public static let invalidConfiguration = Kind(name: "invalidConfiguration")
        /// A call target is not a SIP URI.
        public static let invalidTarget = Kind(name: "invalidTarget")
        /// A per-call SDP attribute cannot be sent.
        public static let invalidSDPAttribute = Kind(name: "invalidSDPAttribute")
        /// DTMF digits outside `0-9 * # A-D`.
        public static let invalidDTMF = Kind(name: "invalidDTMF")
        /// Samples handed to `CallAudioStream.send` do not fit the call's format (8 kHz mono, 20 ms frames).
        public static let invalidAudioFrame = Kind(name: "invalidAudioFrame")
        /// The instance is neither running nor could it be started.
        public static let startFailed = Kind(name: "startFailed")
        /// The instance is running but the configuration asked for a group of its own.
        public static let instanceAlreadyRunning = Kind(name: "instanceAlreadyRunning")
        /// The instance's orchestrator does not answer (stopped, crashed or restarting).
        public static let instanceUnavailable = Kind(name: "instanceUnavailable")
        /// The orchestrator refused or could not carry out a command.
        public static let requestFailed = Kind(name: "requestFailed")
        /// Something did not happen within its time limit.
        public static let timeout = Kind(name: "timeout")
        /// Registration with the registrar failed (wrong password, unreachable registrar, ...).
        public static let registrationFailed = Kind(name: "registrationFailed")
        /// The call ended without being answered: busy, declined, not found, cancelled, ...
        public static let callFailed = Kind(name: "callFailed")
        /// The call is over, so the operation has nothing to act on.
        public static let callEnded = Kind(name: "callEnded")
        /// The call has no media (yet): no worker carries it.
        public static let mediaUnavailable = Kind(name: "mediaUnavailable")
        /// The client was shut down.
        public static let clientShutDown = Kind(name: "clientShutDown")
        /// The waiting task was cancelled.
        public static let cancelled = Kind(name: "cancelled")
    }

    public var kind: Kind {
        switch reason {
        case .invalidIdentity: .invalidIdentity
        case .invalidConfiguration: .invalidConfiguration
        case .invalidTarget: .invalidTarget
        case .invalidSDPAttribute: .invalidSDPAttribute
        case .invalidDTMF: .invalidDTMF
        case .invalidAudioFrame: .invalidAudioFrame
        case .startFailed: .startFailed
        case .instanceAlreadyRunning: .instanceAlreadyRunning
        case .instanceUnavailable: .instanceUnavailable
        case .requestFailed: .requestFailed
        case .timeout: .timeout
        case .registrationFailed: .registrationFailed
        case .callFailed: .callFailed
        case .callEnded: .callEnded
        case .mediaUnavailable: .mediaUnavailable
        case .clientShutDown: .clientShutDown
        case .cancelled: .cancelled
        }
    }

    // MARK: making errors

    public static func invalidIdentity(identity: String, problem: String) -> Self { Self(.invalidIdentity(identity: identity, problem: problem)) }
    public static func invalidConfiguration(setting: String, problem: String, fix: String) -> Self {
        Self(.invalidConfiguration(setting: setting, problem: problem, fix: fix))
    }
    public static func invalidTarget(uri: String, problem: String) -> Self { Self(.invalidTarget(uri: uri, problem: problem)) }
    public static func invalidSDPAttribute(attribute: String, problem: String) -> Self {
        Self(.invalidSDPAttribute(attribute: attribute, problem: problem))
    }
    public static func invalidDTMF(digits: String) -> Self { Self(.invalidDTMF(digits: digits)) }
    public static func invalidAudioFrame(problem: String) -> Self { Self(.invalidAudioFrame(problem: problem)) }
    public static func startFailed(instance: String, reason: String) -> Self { Self(.startFailed(instance: instance, reason: reason)) }
    public static func instanceAlreadyRunning(instance: String) -> Self { Self(.instanceAlreadyRunning(instance: instance)) }
    public static func instanceUnavailable(instance: String, reason: String) -> Self {
        Self(.instanceUnavailable(instance: instance, reason: reason))
    }
    public static func requestFailed(command: String, code: String, message: String) -> Self {
        Self(.requestFailed(command: command, code: code, message: message))
    }
    public static func timeout(operation: String, after: Duration) -> Self { Self(.timeout(operation: operation, after: after)) }
    public static func registrationFailed(aor: String, reason: String) -> Self { Self(.registrationFailed(aor: aor, reason: reason)) }
    public static func callFailed(callID: String, status: Int?, reason: String) -> Self {
        Self(.callFailed(callID: callID, status: status, reason: reason))
    }
    public static func callEnded(callID: String) -> Self { Self(.callEnded(callID: callID)) }
    public static func mediaUnavailable(callID: String, reason: String) -> Self { Self(.mediaUnavailable(callID: callID, reason: reason)) }
    public static let clientShutDown = Self(.clientShutDown)
    public static let cancelled = Self(.cancelled)

    // MARK: details

    /// The call concerned (`callFailed`, `callEnded`, `mediaUnavailable`).
    public var callID: String? {
        switch reason {
        case .callFailed(let id, _, _), .callEnded(let id), .mediaUnavailable(let id, _): id
        default: nil
        }
    }

    /// The final SIP status of a failed call, when there was one.
    public var sipStatus: Int? { if case .callFailed(_, let status, _) = reason { status } else { nil } }

    /// Why: the SIP reason of a failed call, the registrar's or the start's failure, why the instance is unavailable.
    public var failureReason: String? {
        switch reason {
        case .callFailed(_, _, let r), .registrationFailed(_, let r), .startFailed(_, let r), .instanceUnavailable(_, let r),
             .mediaUnavailable(_, let r):
            r
        default: nil
        }
    }

    /// The builder setting or call option at fault (`invalidConfiguration`), and what to do about it.
    public var setting: String? { if case .invalidConfiguration(let setting, _, _) = reason { setting } else { nil } }
    public var fix: String? { if case .invalidConfiguration(_, _, let fix) = reason { fix } else { nil } }

    /// What is wrong with an identity, a target, an SDP attribute, a setting or an audio frame.
    public var problem: String? {
        switch reason {
        case .invalidIdentity(_, let p), .invalidConfiguration(_, let p, _), .invalidTarget(_, let p), .invalidSDPAttribute(_, let p),
             .invalidAudioFrame(let p):
            p
        default: nil
        }
    }

    /// The identity (`invalidIdentity`) or address of record (`registrationFailed`) concerned.
    public var aor: String? {
        switch reason {
        case .invalidIdentity(let identity, _): identity
        case .registrationFailed(let aor, _): aor
        default: nil
        }
    }

    /// The instance concerned (`startFailed`, `instanceAlreadyRunning`, `instanceUnavailable`).
    public var instance: String? {
        switch reason {
        case .startFailed(let i, _), .instanceAlreadyRunning(let i), .instanceUnavailable(let i, _): i
        default: nil
        }
    }

    /// A refused request (`requestFailed`): the command, the bus error code (docs/PROTOCOL.md §6) and its message.
    public var command: String? { if case .requestFailed(let c, _, _) = reason { c } else { nil } }
    public var code: String? { if case .requestFailed(_, let c, _) = reason { c } else { nil } }
    public var message: String? { if case .requestFailed(_, _, let m) = reason { m } else { nil } }

    /// The cause and, after "Fix:", what to do.
    public var description: String {
        switch reason {
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
