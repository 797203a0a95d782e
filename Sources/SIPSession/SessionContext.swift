import SIPCore
import SIPTransaction
import Timebase

/// What every session of one user agent shares, owned by the adapter and lent to each entry point (`inout`): the
/// settings, the SDP origin (one session id and version counter for all calls, as sip-sig always had), the random
/// source of tags, branches, Call-IDs and waits, and where our own address is.
public struct SessionContext: Sendable {
    public var settings: SessionSettings
    public var media: MediaNegotiation
    public var random: SessionRandom
    public var localAddress: LocalAddressResolver

    public init(settings: SessionSettings, media: MediaNegotiation, random: SessionRandom = .system, localAddress: LocalAddressResolver) {
        self.settings = settings
        self.media = media
        self.random = random
        self.localAddress = localAddress
    }

    /// The address we put in Via and Contact for a message going to `host` over `transport`.
    func advertised(_ transport: SIPTransportKind, towards host: String) -> SIPTransportAddress {
        localAddress.resolve(transport, host)
    }

    mutating func token(_ length: Int) -> String { SIPRandomToken.make(length: length, using: &random) }

    /// Stamps a new top Via with a fresh branch (each new transaction gets its own, RFC 3261 §8.1.1.7).
    mutating func stampVia(_ request: inout SIPMessage, local: SIPTransportAddress) {
        RequestFactory.stampVia(&request, local: local, branch: SIPBranch.make(using: &random))
    }
}

/// The settings sessions read (keys as in docs/CONFIG.md, `sip.*`).
public struct SessionSettings: Sendable, Equatable {
    public var timers: SIPTimerSettings
    /// RFC 4028: the Session-Expires we ask for (0: none) and the smallest we accept (Min-SE).
    public var sessionExpires: Int
    public var minSE: Int
    /// Seconds a client is told to wait in `Retry-After` of a 503.
    public var retryAfter: Int

    public init(timers: SIPTimerSettings = .default, sessionExpires: Int = 1800, minSE: Int = 90, retryAfter: Int = 5) {
        self.timers = timers
        self.sessionExpires = sessionExpires
        self.minSE = minSE
        self.retryAfter = retryAfter
    }
}

/// Finds our address towards a peer (the transport knows its listeners and the route); a constant in tests.
public struct LocalAddressResolver: Sendable {
    public let resolve: @Sendable (SIPTransportKind, String) -> SIPTransportAddress

    public init(_ resolve: @escaping @Sendable (SIPTransportKind, String) -> SIPTransportAddress) { self.resolve = resolve }

    /// Always `host:port` (the transport as asked).
    public static func fixed(host: String, port: UInt16) -> LocalAddressResolver {
        LocalAddressResolver { kind, _ in SIPTransportAddress(transport: kind, host: host, port: port) }
    }
}

/// The random source of sessions: the system generator, or a seeded one that makes a test's messages and waits
/// reproducible.
public struct SessionRandom: RandomNumberGenerator, Sendable {
    private var seeded: SIPSplitMix64?

    public static var system: SessionRandom { SessionRandom(seeded: nil) }
    public static func seeded(_ seed: UInt64) -> SessionRandom { SessionRandom(seeded: SIPSplitMix64(seed: seed)) }

    private init(seeded: SIPSplitMix64?) { self.seeded = seeded }

    public mutating func next() -> UInt64 {
        if seeded != nil { return seeded!.next() }
        var system = SystemRandomNumberGenerator()
        return system.next()
    }
}

/// One pass through a session: the time, the shared context, and the actions produced so far.
struct SessionStep {
    let now: MonotonicTime
    var context: SessionContext
    var actions: [SessionAction] = []

    init(now: MonotonicTime, context: SessionContext) {
        self.now = now
        self.context = context
        actions.reserveCapacity(8)  // one allocation for a typical pass, not a doubling per append
    }

    var settings: SessionSettings { context.settings }
    var timers: SIPTimerSettings { context.settings.timers }

    mutating func add(_ action: SessionAction) { actions.append(action) }
    mutating func log(_ message: String, cause: String, call: String?) { actions.append(.log(SessionLog(message, cause: cause, call: call))) }
    mutating func respond(_ response: SIPMessage, on transaction: SIPServerTransactionID, judged: Bool = true) {
        actions.append(.respond(response, transaction: transaction, judged: judged))
    }
    mutating func emit(_ event: SessionEvent) { actions.append(.emit(event)) }
}

extension SessionStep {
    /// Runs `body` with a step built from `context` and gives the context back (moved in and out, not copied).
    static func run(now: MonotonicTime, context: inout SessionContext, _ body: (inout SessionStep) -> Void) -> [SessionAction] {
        var step = SessionStep(now: now, context: consume context)
        body(&step)
        context = step.context
        return step.actions
    }
}
