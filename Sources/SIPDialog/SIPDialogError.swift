import SIPCore

/// The one error type `SIPDialog` and `SIPDialogTable` throw.
///
/// Why a struct around an internal enum: dialog handling grows with every extension
/// (RFC 3262, 3515, 6665 ...), and new kinds must not break exhaustive `switch`es in
/// callers. `parseError` keeps the underlying header defect when there is one, so the
/// runtime can answer 400 with a precise Reason-Phrase.
public struct SIPDialogError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case notARequest, notAResponse, missingHeader, malformedHeader, missingTag
            case missingContact, notDialogCreating, dialogMismatch, dialogTerminated
            case cseqExhausted, routeSetTooLong, tableFull, tooManyDialogsForCall, unknownDialog
        }
        let base: Base
        init(_ base: Base) { self.base = base }
        public var description: String { base.rawValue }

        /// A response was given where a request is required.
        public static let notARequest = Kind(.notARequest)
        /// A request was given where a response is required.
        public static let notAResponse = Kind(.notAResponse)
        /// Call-ID, CSeq, From or To is absent (RFC 3261 §8.1.1).
        public static let missingHeader = Kind(.missingHeader)
        /// A header the dialog needs could not be parsed; see `parseError`.
        public static let malformedHeader = Kind(.malformedHeader)
        /// From tag (request) or To tag (response) is absent, so no dialog ID exists (§12).
        public static let missingTag = Kind(.missingTag)
        /// No usable Contact where the remote target must come from (§12.1.1, §12.1.2, §13.3.1.4).
        public static let missingContact = Kind(.missingContact)
        /// The response cannot create a dialog (100, a final non-2xx, or not for this request).
        public static let notDialogCreating = Kind(.notDialogCreating)
        /// The message's Call-ID or tags do not belong to this dialog.
        public static let dialogMismatch = Kind(.dialogMismatch)
        /// The dialog is terminated; no new requests may be sent in it.
        public static let dialogTerminated = Kind(.dialogTerminated)
        /// The local CSeq reached 2^32-1 and cannot be incremented (§8.1.1.5).
        public static let cseqExhausted = Kind(.cseqExhausted)
        /// More Record-Route entries than `SIPDialogLimits.maxRouteSetSize`.
        public static let routeSetTooLong = Kind(.routeSetTooLong)
        /// The table holds `SIPDialogLimits.maxDialogs` dialogs already.
        public static let tableFull = Kind(.tableFull)
        /// One call (Call-ID + local tag) already has `maxDialogsPerCall` dialogs (forking bomb).
        public static let tooManyDialogsForCall = Kind(.tooManyDialogsForCall)
        /// No dialog with this ID exists in the table.
        public static let unknownDialog = Kind(.unknownDialog)
    }

    public var kind: Kind
    /// Canonical name of the header at fault, when there is one.
    public var headerName: String?
    /// The parser's error for `.malformedHeader`.
    public var parseError: SIPParseError?

    public init(_ kind: Kind, header: String? = nil, parseError: SIPParseError? = nil) {
        self.kind = kind
        self.headerName = header
        self.parseError = parseError
    }

    public var description: String {
        var s = "SIPDialogError.\(kind)"
        if let headerName { s += " (\(headerName))" }
        if let parseError { s += ": \(parseError)" }
        return s
    }

    static func malformed(_ e: SIPParseError) -> SIPDialogError {
        SIPDialogError(.malformedHeader, header: e.headerName, parseError: e)
    }
}
