import SIPCore

/// A confirmed dialog as plain strings and numbers, so a restarted SIP process can carry on a call that its
/// predecessor set up (the snapshot is kept outside the process; sip-orch holds it). Everything RFC 3261 §12
/// makes the dialog state: ID, URIs with tags, CSeqs, remote target, route set, secure flag, our Contact.
public struct SIPDialogSnapshot: Sendable, Hashable {
    public var callID: String
    public var localTag: String
    public var remoteTag: String
    public var role: String
    public var localAddress: String
    public var remoteAddress: String
    public var localCSeq: UInt32?
    public var remoteCSeq: UInt32?
    public var remoteTarget: String
    public var routeSet: [String]
    public var secure: Bool
    public var localContact: String
    public var creatingCSeq: UInt32

    public init(callID: String, localTag: String, remoteTag: String, role: String, localAddress: String, remoteAddress: String,
                localCSeq: UInt32?, remoteCSeq: UInt32?, remoteTarget: String, routeSet: [String], secure: Bool,
                localContact: String, creatingCSeq: UInt32) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
        self.role = role
        self.localAddress = localAddress
        self.remoteAddress = remoteAddress
        self.localCSeq = localCSeq
        self.remoteCSeq = remoteCSeq
        self.remoteTarget = remoteTarget
        self.routeSet = routeSet
        self.secure = secure
        self.localContact = localContact
        self.creatingCSeq = creatingCSeq
    }
}

extension SIPDialog {
    public var snapshot: SIPDialogSnapshot {
        SIPDialogSnapshot(callID: id.callID, localTag: id.localTag, remoteTag: id.remoteTag, role: role == .uac ? "uac" : "uas",
                          localAddress: localAddress.description, remoteAddress: remoteAddress.description,
                          localCSeq: localCSeq, remoteCSeq: remoteCSeq, remoteTarget: remoteTarget.description,
                          routeSet: routeSet.map(\.description), secure: isSecure, localContact: localContact.description,
                          creatingCSeq: creatingCSeq)
    }

    /// Rebuilds a confirmed dialog. Our CSeq jumps by `cseqMargin`: requests the previous process sent after the
    /// snapshot was taken must not be reused (CSeq must grow within a dialog, §12.2.1.1). The peer's CSeq is
    /// kept: a lower one from the peer is still refused with 500.
    public init(restoring s: SIPDialogSnapshot, cseqMargin: UInt32 = 100, limits: SIPDialogLimits = .default) throws(SIPParseError) {
        let local = try SIPAddress.parse(s.localAddress, header: "From")
        let remote = try SIPAddress.parse(s.remoteAddress, header: "To")
        let target = try SIPURI.parse(s.remoteTarget)
        var routes: [SIPURI] = []
        for r in s.routeSet.prefix(limits.maxRouteSetSize) { routes.append(try SIPURI.parse(r)) }
        let contact = try SIPURI.parse(s.localContact)
        let nextCSeq = (s.localCSeq ?? s.creatingCSeq) &+ cseqMargin
        self.init(id: SIPDialogID(callID: s.callID, localTag: s.localTag, remoteTag: s.remoteTag),
                  role: s.role == "uac" ? .uac : .uas, state: .confirmed, localAddress: local, remoteAddress: remote,
                  localCSeq: s.localCSeq.map { _ in nextCSeq } ?? (s.role == "uac" ? nextCSeq : nil), remoteCSeq: s.remoteCSeq,
                  remoteTarget: target, routeSet: routes, isSecure: s.secure, localContact: contact,
                  creatingCSeq: s.creatingCSeq, creatingMethod: .invite, initialLocalCSeq: nextCSeq, limits: limits)
    }
}
