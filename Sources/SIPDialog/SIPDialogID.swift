import SIPCore

/// A dialog identifier: Call-ID plus local and remote tag (RFC 3261 §12).
///
/// Why "local/remote" and not "From/To": the same dialog is seen from both ends
/// with the tags swapped. For a request we receive, the local tag is the To tag and
/// the remote tag the From tag (§12.2.2); for a response we receive, the local tag
/// is the From tag and the remote tag the To tag (§12.2.1.2). Values compare
/// byte for byte (Call-ID is case-sensitive, §20.8).
public struct SIPDialogID: Sendable, Hashable, CustomStringConvertible {
    public var callID: String
    public var localTag: String
    public var remoteTag: String

    public init(callID: String, localTag: String, remoteTag: String) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
    }

    /// The ID of the dialog an incoming request belongs to, or nil when it carries no
    /// To tag (an out-of-dialog request, §12.2.2) or no From tag.
    public static func forIncomingRequest(_ request: SIPMessage) throws(SIPDialogError) -> SIPDialogID? {
        let parts = try SIPDialogHeaders.identity(of: request)
        guard let toTag = parts.to.tag, !toTag.isEmpty,
              let fromTag = parts.from.tag, !fromTag.isEmpty else { return nil }
        return SIPDialogID(callID: parts.callID, localTag: toTag, remoteTag: fromTag)
    }

    /// The ID of the dialog an incoming response belongs to, or nil when it carries no
    /// To tag (e.g. 100 Trying, §8.2.6.2) or the From tag is absent.
    public static func forIncomingResponse(_ response: SIPMessage) throws(SIPDialogError) -> SIPDialogID? {
        let parts = try SIPDialogHeaders.identity(of: response)
        guard let toTag = parts.to.tag, !toTag.isEmpty,
              let fromTag = parts.from.tag, !fromTag.isEmpty else { return nil }
        return SIPDialogID(callID: parts.callID, localTag: fromTag, remoteTag: toTag)
    }

    /// The call this dialog belongs to as the UAC sees it: every fork of one INVITE
    /// shares Call-ID and local tag and differs only in remote tag (§12.1.2).
    public var callKey: SIPDialogCallKey { SIPDialogCallKey(callID: callID, localTag: localTag) }

    public var description: String { "\(callID);local=\(localTag);remote=\(remoteTag)" }
}

/// Call-ID plus local tag: what all dialogs forked from one request share.
public struct SIPDialogCallKey: Sendable, Hashable {
    public var callID: String
    public var localTag: String
    public init(callID: String, localTag: String) {
        self.callID = callID
        self.localTag = localTag
    }
}

/// Typed reads of the headers every dialog operation needs, mapped to `SIPDialogError`.
enum SIPDialogHeaders {
    struct Identity {
        var callID: String
        var from: SIPAddress
        var to: SIPAddress
    }

    static func identity(of m: SIPMessage) throws(SIPDialogError) -> Identity {
        let callID: String?, from: SIPAddress?, to: SIPAddress?
        do {
            callID = try m.callID()
            from = try m.from()
            to = try m.to()
        } catch {
            throw .malformed(error)
        }
        guard let callID else { throw SIPDialogError(.missingHeader, header: "Call-ID") }
        guard let from else { throw SIPDialogError(.missingHeader, header: "From") }
        guard let to else { throw SIPDialogError(.missingHeader, header: "To") }
        return Identity(callID: callID, from: from, to: to)
    }

    static func cseq(of m: SIPMessage) throws(SIPDialogError) -> SIPCSeq {
        let value: SIPCSeq?
        do { value = try m.cseq() } catch { throw .malformed(error) }
        guard let value else { throw SIPDialogError(.missingHeader, header: "CSeq") }
        return value
    }

    /// The first Contact address; nil when absent. `*` is not a remote target.
    static func contactURI(of m: SIPMessage) throws(SIPDialogError) -> SIPURI? {
        let contacts: [SIPContact]
        do { contacts = try m.contacts() } catch { throw .malformed(error) }
        guard let first = contacts.first else { return nil }
        guard let address = first.address else { throw SIPDialogError(.missingContact, header: "Contact") }
        return address.uri
    }

    /// Record-Route URIs in message order, capped by `limit`.
    static func recordRoute(of m: SIPMessage, limit: Int) throws(SIPDialogError) -> [SIPURI] {
        let rr: [SIPAddress]
        do { rr = try m.recordRoutes() } catch { throw .malformed(error) }
        guard rr.count <= limit else { throw SIPDialogError(.routeSetTooLong, header: "Record-Route") }
        return rr.map(\.uri)
    }
}
