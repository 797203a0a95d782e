/// Bounds that keep dialog state finite whatever peers send.
///
/// Why: a hostile or broken proxy can fork one INVITE to thousands of branches or
/// record-route absurdly long paths; every table and list here has a cap and
/// exceeding it is a typed error, never silent growth.
public struct SIPDialogLimits: Sendable, Hashable {
    /// Dialogs one `SIPDialogTable` holds, all calls together.
    public var maxDialogs: Int
    /// Dialogs sharing one Call-ID and local tag (early dialogs from forking, §13.2.2.4).
    public var maxDialogsPerCall: Int
    /// Entries in a route set taken from Record-Route.
    public var maxRouteSetSize: Int

    public init(maxDialogs: Int = 4096, maxDialogsPerCall: Int = 16, maxRouteSetSize: Int = 32) {
        self.maxDialogs = max(1, maxDialogs)
        self.maxDialogsPerCall = max(1, maxDialogsPerCall)
        self.maxRouteSetSize = max(0, maxRouteSetSize)
    }

    public static let `default` = SIPDialogLimits()
}
