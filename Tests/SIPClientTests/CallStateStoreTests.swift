import Foundation
@testable import SIPClient
import Testing
import Timebase
import struct Wire.MediaStats  // scoped: Wire has a CallStateEvent of its own (the bus type); this one is the library's

extension SIPClientTests {
    /// The call state machine, fed events with no sockets and no clock.
    @Suite struct CallStateStoreTests {
        static func event(_ state: CallState, code: Int? = nil, reason: String? = nil, normal: Bool? = nil) -> CallStateEvent {
            CallStateEvent(callID: "c1", state: state, direction: .outgoing, sipStatus: code, reason: reason, isNormal: normal, codec: "PCMU")
        }

        @Test func answeredCallEndsWithItsFinalFigures() {
            var store = CallStateStore(direction: .outgoing, state: .dialing)
            let t0 = MonotonicTime.seconds(100)  // virtual time
            #expect(store.apply(Self.event(.ringing, code: 180), now: t0) == [.publish(.ringing)])
            #expect(store.apply(Self.event(.connected, code: 200), now: t0) == [.publish(.connected)])
            #expect(store.apply(Self.event(.connected), now: t0).isEmpty, "a repeated state is not published again")
            let ended = store.apply(Self.event(.terminated, reason: "local hangup", normal: true), now: t0 + .seconds(3))
            #expect(ended == [.publish(.terminated), .closeMedia, .startGrace], "an outgoing call waits for media.stopped")
            var figures = MediaStats(call: "c1", localPort: 20000)
            figures.mos = 4.4
            figures.packetsReceived = 150
            let stats = CallStatistics(figures, raw: figures.jsonObject)
            guard case .resolve(let end)? = store.mediaStopped(stats).first else {
                Issue.record("no end")
                return
            }
            #expect(end.reason == "local hangup" && end.isNormal && end.wasAnswered && end.duration == .seconds(3))
            #expect(end.statistics?.mos == 4.4 && end.qualityReport?.mos == 4.4)
            #expect(store.history == [.dialing, .ringing, .connected, .terminated] && store.codec == "PCMU")
            #expect(store.graceExpired().isEmpty && store.apply(Self.event(.connected), now: t0).isEmpty, "nothing after the end")
        }

        @Test func rejectedIncomingCallEndsAtOnceWithItsStatus() {
            var store = CallStateStore(direction: .incoming, state: .incoming)
            let actions = store.apply(Self.event(.terminated, code: 486, reason: "rejected with 486", normal: true), now: .zero)
            guard case .resolve(let end)? = actions.last else {
                Issue.record("an unanswered incoming call has no media to wait for")
                return
            }
            #expect(end.sipStatus == 486 && !end.wasAnswered && end.duration == nil && end.statistics == nil)
        }

        @Test func endWithoutMediaReportResolvesWhenTheGracePasses() {
            var store = CallStateStore(direction: .outgoing, state: .dialing)
            _ = store.apply(Self.event(.terminated, code: 486, reason: "486 Busy Here", normal: false), now: .zero)
            #expect(store.termination == .init(reason: "486 Busy Here", status: 486, normal: false))
            guard case .resolve(let end)? = store.graceExpired().first else {
                Issue.record("no end")
                return
            }
            #expect(!end.isNormal && end.sipStatus == 486)
        }

        @Test func clientShutdownEndsACallInProgress() {
            var store = CallStateStore(direction: .outgoing, state: .connected)
            let actions = store.clientClosed(reason: "the client shut down", now: .zero)
            #expect(actions.prefix(2) == [.publish(.terminated), .closeMedia])
            guard case .resolve(let end)? = actions.last else {
                Issue.record("no end")
                return
            }
            #expect(end.reason == "the client shut down" && !end.isNormal)
        }
    }

    /// Frames leave 20 ms apart; a stalled sender restarts the clock instead of bursting.
    @Suite struct FramePacerTests {
        @Test func framesAreDueTwentyMillisecondsApart() {
            var pacer = FramePacer()
            let t0 = MonotonicTime.seconds(100)  // virtual time
            let first = pacer.next(now: t0)
            let second = pacer.next(now: t0)
            let third = pacer.next(now: t0 + .milliseconds(5))
            #expect(first.index == 0 && first.due == t0)
            #expect(second.index == 1 && second.due == t0 + .milliseconds(20))
            #expect(third.index == 2 && third.due == t0 + .milliseconds(40))
        }

        @Test func aStalledSenderRestartsTheClock() {
            var pacer = FramePacer()
            let t0 = MonotonicTime.seconds(100)  // virtual time
            _ = pacer.next(now: t0)
            let late = pacer.next(now: t0 + .seconds(1))
            #expect(late.index == 1 && late.due == t0 + .seconds(1))
            #expect(pacer.next(now: t0 + .seconds(1)).due == t0 + .seconds(1) + .milliseconds(20))
        }
    }

    /// SIP URIs are checked before anything is sent.
    @Suite struct URITests {
        @Test func targetsGetTheirSchemeAndBadOnesTheReason() throws {
            #expect(try SIPURIParts.target("bob@192.0.2.1:5062") == "sip:bob@192.0.2.1:5062")
            #expect(try SIPURIParts.target("sips:bob@[::1]:5061;transport=tcp") == "sips:bob@[::1]:5061;transport=tcp")
            #expect { _ = try SIPURIParts.target("sip:bob@0.0.0.0") } throws: { "\($0)".contains("not an address one can call") }
            #expect { _ = try SIPURIParts.target("sip:bob@") } throws: { "\($0)".contains("host is missing") }
        }
    }
}
