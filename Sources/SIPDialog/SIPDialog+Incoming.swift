import SIPCore

/// What to do with a request received inside a dialog.
public enum SIPDialogRequestVerdict: Sendable, Hashable {
    /// Hand the request to the usage; `changes` tells what the dialog applied.
    case accept(SIPDialogChanges)
    /// Answer with this status and do nothing else; the dialog did not change.
    /// `SIPDialogResponse.make(for:statusCode:reasonPhrase:)` builds the response
    /// (it returns nil for ACK, which is never answered).
    case reject(statusCode: Int, reasonPhrase: String)
}

/// Receiving requests within a dialog (RFC 3261 §12.2.2, §15.1.2).
extension SIPDialog {
    /// Checks and applies an incoming in-dialog request.
    ///
    /// - Not this dialog's Call-ID/tags, or the dialog is terminated: 481.
    /// - Unparseable Call-ID/From/To/CSeq/Contact: 400 with the defect as reason.
    /// - CSeq lower than the remote CSeq: 500 Server Internal Error (§12.2.2
    ///   mandates 500, not 400). Otherwise the number is recorded. ACK and CANCEL
    ///   are exempt: they carry the INVITE's number, may legitimately arrive after a
    ///   later request, and CANCEL is matched by the transaction layer anyway.
    /// - Target refresh (INVITE, UPDATE) with a Contact: the remote target is
    ///   replaced now, on the request, as RFC 3261 §12.2.2 says for the UAS. (RFC 6141
    ///   later advises waiting for the 2xx of a re-INVITE; not done here.)
    /// - BYE: the dialog is terminated (§15.1.2); answer it with 200.
    public mutating func receiveRequest(_ request: SIPMessage) -> SIPDialogRequestVerdict {
        guard let method = request.method else { return .reject(statusCode: 400, reasonPhrase: "Bad Request") }
        let seq: UInt32
        var newTarget: SIPURI? = nil
        do throws(SIPDialogError) {
            guard let incoming = try SIPDialogID.forIncomingRequest(request), incoming == id else {
                return .reject(statusCode: 481, reasonPhrase: SIPDialogResponse.reason481)
            }
            seq = try SIPDialogHeaders.cseq(of: request).sequence
            if SIPDialog.isTargetRefresh(method) { newTarget = try SIPDialogHeaders.contactURI(of: request) }
        } catch {
            return .reject(statusCode: 400, reasonPhrase: error.parseError?.reasonPhrase ?? "Bad Request")
        }
        guard state != .terminated else {
            return .reject(statusCode: 481, reasonPhrase: SIPDialogResponse.reason481)
        }
        if method == .ack || method == .cancel { return .accept([]) }
        if let last = remoteCSeq, seq < last {
            return .reject(statusCode: 500, reasonPhrase: "Server Internal Error")
        }
        remoteCSeq = seq
        var changes: SIPDialogChanges = []
        if let newTarget, newTarget != remoteTarget {
            remoteTarget = newTarget
            changes.insert(.targetRefreshed)
        }
        if method == .bye {
            state = .terminated
            changes.insert(.terminated)
        }
        return .accept(changes)
    }

    /// Tells a UAS dialog which response it sent, so the dialog-creating exchange can
    /// move it on: 2xx confirms an early dialog, 3xx-6xx terminates it (§12.1.1,
    /// §13.3.1.4). Responses to other requests change nothing.
    public mutating func didSendResponse(_ response: SIPMessage) throws(SIPDialogError) -> SIPDialogChanges {
        guard let status = response.statusCode else { throw SIPDialogError(.notAResponse) }
        let cseq = try SIPDialogHeaders.cseq(of: response)
        guard state == .early, role == .uas, status >= 200,
              cseq.sequence == creatingCSeq, cseq.method == creatingMethod else { return [] }
        if status < 300 {
            state = .confirmed
            return .confirmed
        }
        state = .terminated
        return .terminated
    }
}
