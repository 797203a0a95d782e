import Timebase

/// What the library knows of one call, and the rules for its end. Pure: each input is a `mutating func` that
/// returns what the `Call` must do (publish a state, close media streams, start the grace timer, resolve the
/// end). Time is passed in.
///
///     call.state ... -> terminated ──► media.stopped arrives ──► end resolved (with final figures)
///                              └────► grace period passes ───► end resolved (without)
///
/// A call that had a media worker gets `media.stopped` shortly after it ends; its end waits for those final
/// figures, at most `graceAfterEnd`.
struct CallStateStore: Sendable {
    enum Action: Equatable, Sendable {
        case publish(CallState)
        case closeMedia
        case startGrace
        case resolve(CallEnd)
    }

    /// Longest wait for `media.stopped` after the call ended.
    static let graceAfterEnd: Duration = .seconds(2)

    let direction: CallDirection
    private(set) var state: CallState
    private(set) var history: [CallState]
    private(set) var codec: String?
    private(set) var answeredAt: MonotonicTime?
    private(set) var finalStatistics: CallStatistics?
    private(set) var end: CallEnd?
    /// Why and how the call ended, as soon as it is terminated.
    struct Termination: Sendable, Equatable {
        var reason: String
        var status: Int?
        var normal: Bool
    }
    private(set) var termination: Termination?
    private var endedAt: MonotonicTime?
    /// Set when we asked orch to answer: media was then allocated, so `media.stopped` will come.
    private var answering = false

    init(direction: CallDirection, state: CallState) {
        self.direction = direction
        self.state = state
        history = [state]
    }

    var isTerminated: Bool { state == .terminated }

    /// An outgoing call gets its media worker when dialled, an incoming one when answered.
    private var expectsMediaReport: Bool {
        direction == .outgoing || answering || answeredAt != nil
    }

    mutating func noteAnswering() { answering = true }

    /// A `call.state` event for this call.
    mutating func apply(_ event: CallStateEvent, now: MonotonicTime) -> [Action] {
        guard end == nil, state != .terminated else { return [] }
        if let c = event.codec { codec = c }
        guard event.state != state else { return [] }
        state = event.state
        history.append(event.state)
        if event.state.isAnswered, answeredAt == nil { answeredAt = now }
        guard event.state == .terminated else { return [.publish(event.state)] }
        endedAt = now
        termination = Termination(reason: event.reason ?? "ended", status: event.sipStatus, normal: event.isNormal ?? true)
        var actions: [Action] = [.publish(.terminated), .closeMedia]
        if finalStatistics != nil || !expectsMediaReport { actions.append(.resolve(makeEnd())) } else { actions.append(.startGrace) }
        if case .resolve(let e) = actions.last { end = e }
        return actions
    }

    /// The call's final media figures (`media.stopped`).
    mutating func mediaStopped(_ statistics: CallStatistics) -> [Action] {
        guard end == nil else { return [] }
        finalStatistics = statistics
        guard state == .terminated else { return [] }
        let e = makeEnd()
        end = e
        return [.resolve(e)]
    }

    /// The grace period after the end passed without `media.stopped`.
    mutating func graceExpired() -> [Action] {
        guard end == nil, state == .terminated else { return [] }
        let e = makeEnd()
        end = e
        return [.resolve(e)]
    }

    /// The client shut down (or lost the instance) before the call ended.
    mutating func clientClosed(reason: String, now: MonotonicTime) -> [Action] {
        guard end == nil else { return [] }
        var actions: [Action] = []
        if state != .terminated {
            state = .terminated
            history.append(.terminated)
            endedAt = now
            termination = Termination(reason: reason, status: nil, normal: false)
            actions += [.publish(.terminated), .closeMedia]
        }
        let e = makeEnd()
        end = e
        return actions + [.resolve(e)]
    }

    private func makeEnd() -> CallEnd {
        let t = termination ?? Termination(reason: "ended", status: nil, normal: true)
        let duration = answeredAt.flatMap { start in endedAt.map { Duration.milliseconds(Int64(($0 - start).milliseconds.rounded())) } }
        return CallEnd(reason: t.reason, sipStatus: t.status, isNormal: t.normal, wasAnswered: answeredAt != nil,
                       duration: duration, statistics: finalStatistics)
    }
}
