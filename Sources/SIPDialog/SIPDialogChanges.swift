/// What an event did to a dialog, so the usage above (INVITE session, subscription)
/// can react without diffing dialog values.
public struct SIPDialogChanges: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// early → confirmed.
    public static let confirmed = SIPDialogChanges(rawValue: 1 << 0)
    /// The remote target (peer Contact) changed.
    public static let targetRefreshed = SIPDialogChanges(rawValue: 1 << 1)
    /// The route set was recomputed to a different value (2xx after an early dialog).
    public static let routeSetUpdated = SIPDialogChanges(rawValue: 1 << 2)
    /// The dialog is now terminated; remove it from its table.
    public static let terminated = SIPDialogChanges(rawValue: 1 << 3)
}
