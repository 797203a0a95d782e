import SIPCore

/// Receiving responses to requests this dialog sent (RFC 3261 §12.2.1.2, §13.2.2.4, §15.1.1).
extension SIPDialog {
    /// Applies a response to a request we sent in this dialog (or to the request that
    /// created it) and reports what changed.
    ///
    /// - 2xx to the dialog-creating request while early: confirmed; route set
    ///   recomputed from the 2xx's Record-Route (reversed) and remote target from its
    ///   Contact (§13.2.2.4). A Contact-less 2xx still confirms and keeps the target.
    /// - 2xx to a target refresh (re-INVITE, UPDATE): remote target = its Contact.
    /// - 3xx-6xx to the dialog-creating request while early: terminated.
    /// - 481 or 408 to any in-dialog request except CANCEL: terminated (§12.2.1.2).
    /// - 2xx to BYE: terminated.
    /// - Anything for a terminated dialog: ignored.
    ///
    /// Throws `.dialogMismatch` when the response's Call-ID/tags are not this dialog's
    /// (route it with `SIPDialogTable`), and parse errors for malformed headers; the
    /// dialog is unchanged when it throws.
    public mutating func receiveResponse(_ response: SIPMessage) throws(SIPDialogError) -> SIPDialogChanges {
        guard let status = response.statusCode else { throw SIPDialogError(.notAResponse) }
        guard let incoming = try SIPDialogID.forIncomingResponse(response), incoming == id else {
            throw SIPDialogError(.dialogMismatch)
        }
        let cseq = try SIPDialogHeaders.cseq(of: response)
        guard state != .terminated, status >= 200 else { return [] }
        let creating = role == .uac && cseq.sequence == creatingCSeq && cseq.method == creatingMethod
        var changes: SIPDialogChanges = []

        if (200...299).contains(status) {
            let contact = try SIPDialogHeaders.contactURI(of: response)
            if creating && state == .early {
                let routes = Array(try SIPDialogHeaders.recordRoute(of: response, limit: limits.maxRouteSetSize).reversed())
                state = .confirmed
                changes.insert(.confirmed)
                if routes != routeSet {
                    routeSet = routes
                    changes.insert(.routeSetUpdated)
                }
            }
            if (creating || SIPDialog.isTargetRefresh(cseq.method)), let contact, contact != remoteTarget {
                remoteTarget = contact
                changes.insert(.targetRefreshed)
            }
            if cseq.method == .bye {
                state = .terminated
                changes.insert(.terminated)
            }
            return changes
        }
        if (status == 481 || status == 408) && cseq.method != .cancel {
            state = .terminated
            return .terminated
        }
        if creating && state == .early && status >= 300 {
            state = .terminated
            return .terminated
        }
        return []
    }

    /// Ends the dialog locally (e.g. BYE sent and no answer, §15.1.1).
    public mutating func terminate() {
        state = .terminated
    }
}
