import Testing
import Timebase

@Suite("MonotonicTime")
struct MonotonicTimeTests {
    @Test func arithmeticAndOrdering() {
        let start = MonotonicTime.milliseconds(1500)
        #expect(start + .milliseconds(20) == MonotonicTime(nanoseconds: 1_520_000_000))
        #expect(start - .seconds(2) == MonotonicTime(nanoseconds: -500_000_000))
        #expect(start - .seconds(2) < .zero)
        #expect((start + .milliseconds(5)) - start == .milliseconds(5))
        #expect(start - (start + .milliseconds(5)) == .milliseconds(-5))
        var t = start
        t += .seconds(1)
        t -= .milliseconds(500)
        #expect(t == .milliseconds(2000))
        #expect(MonotonicTime.seconds(1.5) == start)
        #expect(start.description == "t+1.5s")
    }

    @Test func garbageNeverTraps() {
        // Adding wraps (as the old per-module time types did); the difference of two times is exact.
        #expect(MonotonicTime(nanoseconds: .max) + .seconds(1) == MonotonicTime(nanoseconds: .min + 999_999_999))
        #expect(MonotonicTime(nanoseconds: .min) - .nanoseconds(1) == MonotonicTime(nanoseconds: .max))
        #expect(MonotonicTime(nanoseconds: .max) - MonotonicTime(nanoseconds: .min) == .nanoseconds(Int64.max) * 2 + .nanoseconds(1))
        #expect(MonotonicTime(nanoseconds: .min) - MonotonicTime(nanoseconds: .max) == .nanoseconds(Int64.min) * 2 + .nanoseconds(1))
        // Durations beyond Int64 nanoseconds saturate before they are added.
        #expect(MonotonicTime.zero + .seconds(Int64.max) == MonotonicTime(nanoseconds: .max))
        #expect(MonotonicTime.zero - .seconds(Int64.max) == MonotonicTime(nanoseconds: -.max))
        _ = MonotonicTime.milliseconds(.max)
        _ = MonotonicTime.milliseconds(.min)
        #expect(MonotonicTime.seconds(.nan) == .zero)
        #expect(MonotonicTime.seconds(.infinity) == MonotonicTime(nanoseconds: .max))
        #expect(MonotonicTime.seconds(-.infinity) == MonotonicTime(nanoseconds: .min))
        #expect(MonotonicTime.seconds(1e300) == MonotonicTime(nanoseconds: .max))
    }

    @Test func sinceIsNeverNegative() {
        let earlier = MonotonicTime.milliseconds(100), later = MonotonicTime.milliseconds(350)
        #expect(later.since(earlier) == .milliseconds(250))
        #expect(earlier.since(later) == .zero)
        #expect(earlier.since(earlier) == .zero)
        #expect(MonotonicTime(nanoseconds: .max).since(MonotonicTime(nanoseconds: .min)) == .nanoseconds(Int64.max) * 2 + .nanoseconds(1))
    }

    @Test func comparableAndHashable() {
        let times: [MonotonicTime] = [.milliseconds(3), .zero, MonotonicTime(nanoseconds: -7), .milliseconds(3), MonotonicTime(nanoseconds: .max)]
        #expect(times.sorted() == [MonotonicTime(nanoseconds: -7), .zero, .milliseconds(3), .milliseconds(3), MonotonicTime(nanoseconds: .max)])
        #expect(times.min() == MonotonicTime(nanoseconds: -7) && times.max() == MonotonicTime(nanoseconds: .max))
        #expect(Set(times).count == 4)
        #expect(MonotonicTime.zero < .milliseconds(1) && !(MonotonicTime.milliseconds(1) < .milliseconds(1)))
    }

    @Test func unsignedWireValuesConvertLosslesslyInRange() {
        let stamp: UInt64 = 123_456_789_012_345
        #expect(MonotonicTime(unsignedNanoseconds: stamp).unsignedNanoseconds == stamp)
        #expect(MonotonicTime(unsignedNanoseconds: .max) == MonotonicTime(nanoseconds: .max))
        #expect(MonotonicTime(nanoseconds: -5).unsignedNanoseconds == 0)
    }

    @Test func durationHelpers() {
        #expect(Duration.milliseconds(-1500).wholeNanoseconds == -1_500_000_000)
        #expect(Duration.nanoseconds(7).wholeNanoseconds == 7)
        #expect(Duration.seconds(Int64.max).wholeNanoseconds == .max)
        #expect(Duration.seconds(Int64.min).wholeNanoseconds == .min)
        #expect(Duration.milliseconds(-1).nanosecondsClamped == 0)
        #expect(Duration.milliseconds(2).nanosecondsClamped == 2_000_000)
        #expect(Duration.seconds(Int64.max).nanosecondsClamped == UInt64(Int64.max))
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.milliseconds(-250).seconds == -0.25)
    }

    @Test func theRealClockMovesForwardAndSleepsToADeadline() {
        let a = MonotonicClock.now()
        let b = MonotonicClock.now()
        #expect(a <= b && a > .zero)
        MonotonicClock.sleep(until: a - .seconds(1))  // a past deadline returns at once
        let deadline = MonotonicClock.now() + .milliseconds(3)
        MonotonicClock.sleep(until: deadline)
        #expect(MonotonicClock.now() >= deadline)
    }
}
