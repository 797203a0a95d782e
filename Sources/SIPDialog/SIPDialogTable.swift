import SIPCore

/// What the table did with an incoming request.
public enum SIPDialogTableRequestOutcome: Sendable, Hashable {
    /// No To tag: the request is not for an existing dialog (new INVITE, OPTIONS, ...).
    case outOfDialog
    /// The request matched a dialog, which applied `verdict` (see `SIPDialog.receiveRequest`).
    /// A dialog the request terminated (BYE) has already been removed from the table.
    case dispatched(SIPDialogID, SIPDialogRequestVerdict)
    /// To tag present but no such dialog: send `response` (481, §12.2.2); nil for ACK.
    case unknownDialog(response: SIPMessage?)
    /// Call-ID, From, To or CSeq unusable: send `response` (400); nil for ACK.
    case malformed(SIPDialogError, response: SIPMessage?)
}

/// What the table did with a response to a request we sent.
public enum SIPDialogTableResponseOutcome: Sendable, Hashable {
    /// No dialog is involved (100 Trying, tagless provisional, stale response).
    case noDialog
    /// A new dialog was created from a 1xx with To tag (early) or a 2xx (confirmed).
    case created(SIPDialogID)
    /// A 2xx from another fork while the call already has a confirmed dialog. That
    /// fork's dialog (new, or its early dialog now confirmed) is in the table;
    /// §13.2.2.4 says ACK it, and a softphone that keeps one call then ends it:
    /// use `forkedAnswerActions(for:credentials:)`.
    case forkedAnswer(SIPDialogID)
    /// An existing dialog applied the response. Terminated dialogs are removed.
    case updated(SIPDialogID, SIPDialogChanges)
    /// A non-2xx final response to the dialog-creating request ended every early
    /// dialog it had created (§13.2.2.3); they are removed.
    case terminated([SIPDialogID])
}

/// All dialogs of one user agent, keyed by dialog ID, with bounded size.
///
/// Why a value type: it is only state plus rules (like `SIPDialog`), so the runtime
/// keeps it inside its actor and tests drive it with plain messages. Terminated
/// dialogs are dropped as soon as they terminate, and `limits` caps both the table
/// and the forks of one call, so the table cannot grow without bound.
public struct SIPDialogTable: Sendable {
    public let limits: SIPDialogLimits
    private var dialogs: [SIPDialogID: SIPDialog] = [:]
    private var byCall: [SIPDialogCallKey: Set<SIPDialogID>] = [:]

    public init(limits: SIPDialogLimits = .default) { self.limits = limits }

    public var count: Int { dialogs.count }
    public var isEmpty: Bool { dialogs.isEmpty }
    public var ids: [SIPDialogID] { Array(dialogs.keys) }

    public subscript(id: SIPDialogID) -> SIPDialog? { dialogs[id] }

    /// Every dialog forked from one request (same Call-ID and local tag), ordered by remote tag.
    public func dialogs(forCall key: SIPDialogCallKey) -> [SIPDialog] {
        (byCall[key] ?? []).compactMap { dialogs[$0] }.sorted { $0.id.remoteTag < $1.id.remoteTag }
    }

    /// Adds a dialog, or replaces the one with the same ID. Throws `.tableFull` or
    /// `.tooManyDialogsForCall` when a new entry would exceed `limits`.
    public mutating func insert(_ dialog: SIPDialog) throws(SIPDialogError) {
        let id = dialog.id
        if dialogs[id] == nil {
            guard dialogs.count < limits.maxDialogs else { throw SIPDialogError(.tableFull) }
            guard (byCall[id.callKey]?.count ?? 0) < limits.maxDialogsPerCall else {
                throw SIPDialogError(.tooManyDialogsForCall)
            }
        }
        dialogs[id] = dialog
        byCall[id.callKey, default: []].insert(id)
    }

    /// Removes and returns a dialog.
    @discardableResult
    public mutating func remove(_ id: SIPDialogID) -> SIPDialog? {
        guard let d = dialogs.removeValue(forKey: id) else { return nil }
        byCall[id.callKey]?.remove(id)
        if byCall[id.callKey]?.isEmpty == true { byCall[id.callKey] = nil }
        return d
    }

    /// Runs `body` on the stored dialog (e.g. `makeRequest`) and keeps the result;
    /// removes the dialog if it ends up terminated. Nil when the ID is unknown.
    public mutating func withDialog<R, E: Error>(_ id: SIPDialogID,
                                                 _ body: (inout SIPDialog) throws(E) -> R) throws(E) -> R? {
        guard var d = dialogs[id] else { return nil }
        defer { store(d) }
        return try body(&d)
    }

    /// Routes a request we received (§12.2.2): to its dialog when the To tag matches
    /// one, to a 481 when it does not, or back as out-of-dialog when there is no To tag.
    public mutating func receiveRequest(_ request: SIPMessage) -> SIPDialogTableRequestOutcome {
        let id: SIPDialogID?
        do {
            id = try SIPDialogID.forIncomingRequest(request)
        } catch {
            let reason = error.parseError?.reasonPhrase ?? "Bad Request"
            return .malformed(error, response: SIPDialogResponse.make(for: request, statusCode: 400, reasonPhrase: reason))
        }
        guard let id else { return .outOfDialog }
        guard var dialog = dialogs[id] else {
            return .unknownDialog(response: SIPDialogResponse.callDoesNotExist(for: request))
        }
        let verdict = dialog.receiveRequest(request)
        store(dialog)
        return .dispatched(id, verdict)
    }

    /// Applies a response to `request`, which we sent. For a dialog-creating request
    /// (no To tag, e.g. the initial INVITE) this finds or creates the dialog of the
    /// responding fork: each To tag gets its own early dialog, and a 2xx from a new
    /// fork after another fork already answered is reported as `.forkedAnswer`.
    /// Throws for malformed headers and when `limits` forbid a new dialog.
    public mutating func receiveResponse(_ response: SIPMessage, to request: SIPMessage,
                                         transport: SIPTransportKind? = nil) throws(SIPDialogError) -> SIPDialogTableResponseOutcome {
        guard let status = response.statusCode else { throw SIPDialogError(.notAResponse) }
        let reqIdentity = try SIPDialogHeaders.identity(of: request)
        let creating = (reqIdentity.to.tag ?? "").isEmpty
        let id = try SIPDialogID.forIncomingResponse(response)

        if let id, var dialog = dialogs[id] {
            if creating && status >= 300 {
                return .terminated(terminateEarlyDialogs(of: response, callKey: id.callKey))
            }
            let wasEarly = dialog.state == .early
            let changes = try dialog.receiveResponse(response)
            let otherAnswered = dialogs(forCall: id.callKey).contains { $0.id != id && $0.state == .confirmed }
            store(dialog)
            if creating && wasEarly && changes.contains(.confirmed) && otherAnswered { return .forkedAnswer(id) }
            return .updated(id, changes)
        }
        guard creating else { return .noDialog }
        guard let id, status > 100, status < 300 else {
            guard status >= 300, let tag = reqIdentity.from.tag else { return .noDialog }
            let key = SIPDialogCallKey(callID: reqIdentity.callID, localTag: tag)
            return .terminated(terminateEarlyDialogs(of: response, callKey: key))
        }
        let dialog = try SIPDialog.uac(request: request, response: response, transport: transport, limits: limits)
        let alreadyAnswered = dialogs(forCall: id.callKey).contains { $0.state == .confirmed }
        try insert(dialog)
        return (status >= 200 && alreadyAnswered) ? .forkedAnswer(id) : .created(id)
    }

    /// The ACK and BYE for a dialog created by a forked 2xx (§13.2.2.4); see
    /// `SIPDialog.forkedAnswerActions(credentials:)`. The dialog stays in the table
    /// until the BYE's response terminates it.
    public mutating func forkedAnswerActions(for id: SIPDialogID, credentials: [SIPHeaderField] = [])
        throws(SIPDialogError) -> (ack: SIPMessage, bye: SIPMessage, nextHop: SIPURI) {
        guard var dialog = dialogs[id] else { throw SIPDialogError(.unknownDialog) }
        let actions = try dialog.forkedAnswerActions(credentials: credentials)
        store(dialog)
        return actions
    }

    /// Terminates and removes the early dialogs created by the request `response` answers.
    private mutating func terminateEarlyDialogs(of response: SIPMessage, callKey: SIPDialogCallKey) -> [SIPDialogID] {
        let cseq = try? SIPDialogHeaders.cseq(of: response)
        let ended = dialogs(forCall: callKey).filter {
            $0.state == .early && $0.role == .uac
                && $0.creatingCSeq == cseq?.sequence && $0.creatingMethod == cseq?.method
        }.map(\.id)
        for id in ended { remove(id) }
        return ended
    }

    /// Writes a dialog back, or drops it if it is terminated.
    private mutating func store(_ dialog: SIPDialog) {
        if dialog.state == .terminated {
            remove(dialog.id)
        } else if dialogs[dialog.id] != nil {
            dialogs[dialog.id] = dialog
        }
    }
}

extension SIPDialog {
    /// §13.2.2.4: a 2xx from a second fork creates a dialog that the UAC must ACK and,
    /// wanting only one call, then end with BYE. Returns both requests, built in this
    /// dialog (To tag of that fork, its route set and Contact as Request-URI; the ACK
    /// with the INVITE's CSeq number and `credentials`, the BYE with the next number),
    /// and the next hop both go to. Via is left to the runtime as for every request.
    public mutating func forkedAnswerActions(credentials: [SIPHeaderField] = [])
        throws(SIPDialogError) -> (ack: SIPMessage, bye: SIPMessage, nextHop: SIPURI) {
        let ack = makeAck(forInviteCSeq: creatingCSeq, credentials: credentials)
        let bye = try makeRequest(method: .bye)
        return (ack.message, bye.message, bye.nextHop)
    }
}
