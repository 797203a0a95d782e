import Config
import ProcessSupport
import Testing
import Timebase
import Wire
@testable import Orchestrator
#if canImport(Glibc)
import Glibc
#endif

/// Drives the supervisor with a virtual clock: no processes, no sockets, no sleeps.
@Suite struct SupervisorCoreTests {
    var now = MonotonicTime(nanoseconds: 1_000_000_000)
    var core: SupervisorCore
    var pids: [String: Int32] = [:]
    var nextPID: Int32 = 100

    init() {
        var config = InstanceConfig()
        config.rtp.workers = 2
        config.rtp.standby = 0  // the standby's takeover has its own tests below
        core = SupervisorCore(components: ComponentSpec.group(for: config), config: ConfigureContent(settings: [:], instance: "t"),
                              settings: SupervisorCore.Settings(), now: now)
    }

    mutating func advance(_ d: Duration) -> [SupervisorCore.Action] {
        now = now + d
        return handle(.tick)
    }

    /// Feeds an input and plays the adapter's part for spawns (each spawn gets a fresh pid).
    mutating func handle(_ input: SupervisorCore.Input) -> [SupervisorCore.Action] {
        var actions = core.handle(input, now: now)
        for case .spawn(let spec) in actions {
            nextPID += 1
            pids[spec.name] = nextPID
            actions += core.handle(.spawned(name: spec.name, pid: nextPID), now: now)
        }
        return actions
    }

    mutating func bringUp() {
        _ = handle(.start)
        for (name, pid) in pids { _ = handle(.hello(Hello(name: name, role: "x", pid: pid, version: "1"))) }
    }

    func events(_ actions: [SupervisorCore.Action]) -> [String] {
        actions.compactMap { if case .publish(let event) = $0 { event.type } else { nil } }
    }

    @Test mutating func startSpawnsEveryComponentThenHelloConfiguresIt() {
        let actions = handle(.start)
        let spawned = actions.compactMap { if case .spawn(let s) = $0 { s.name } else { nil } }
        #expect(spawned == ["sig", "audio", "rtp-1", "rtp-2"])
        #expect(!core.allUp)
        let hello = handle(.hello(Hello(name: "rtp-2", role: "rtp", pid: pids["rtp-2"]!, version: "1")))
        guard case .send(to: "rtp-2", .configure(let configure)) = hello.first else {
            Issue.record("expected configure, got \(hello)")
            return
        }
        #expect(configure.config["instance"] == "t")
        #expect(configure.config["worker"]?["index"] == 2)
        #expect(configure.config["component"]?["name"] == "rtp-2")
        #expect(events(hello) == ["component.up"])
    }

    @Test mutating func helloFromAnotherPIDIsIgnored() {
        _ = handle(.start)
        #expect(handle(.hello(Hello(name: "sig", role: "sig", pid: 9999, version: "1"))).isEmpty)
    }

    @Test mutating func crashRestartsAfterBackoffAndReportsRestarted() {
        bringUp()
        #expect(core.allUp)
        let old = pids["rtp-1"]!
        let down = handle(.exited(pid: old, termination: .signalled(SIGKILL)))
        #expect(events(down) == ["component.down"])
        #expect(!advance(.milliseconds(50)).contains { if case .spawn = $0 { true } else { false } })  // backoff (100 ms) not over
        let respawn = advance(.milliseconds(60))
        #expect(respawn.contains { if case .spawn(let s) = $0 { s.name == "rtp-1" } else { false } })
        let new = pids["rtp-1"]!
        #expect(new != old)
        let up = handle(.hello(Hello(name: "rtp-1", role: "rtp", pid: new, version: "1")))
        #expect(events(up) == ["component.up", "component.restarted"])
        guard case .publish(let event)? = up.last else { return }
        let data = event.event.jsonObject
        #expect(data["restarts"] == 1)
        #expect(data["previous_pid"] == .init(old))
        #expect(data["reason"] == "killed by signal 9 (SIGKILL)")
        #expect(core.snapshot(now: now).first { $0.name == "rtp-1" }?.restarts == 1)
    }

    @Test mutating func backoffDoublesToItsCapAndResetsAfterStablePeriod() {
        bringUp()
        var delays: [Int] = []
        for _ in 0..<10 {
            let down = handle(.exited(pid: pids["sig"]!, termination: .exited(1)))
            guard case .publish(let event)? = down.first else { return }
            let data = event.event.jsonObject
            delays.append(data["restart_in_ms"]!.intValue!)
            _ = advance(.milliseconds(Int64(delays.last!)))
            _ = handle(.hello(Hello(name: "sig", role: "sig", pid: pids["sig"]!, version: "1")))
        }
        #expect(delays == [100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000])
        // Keep sig alive (heartbeats) for the stable period: the next crash restarts fast again.
        for _ in 0..<31 {
            _ = advance(.seconds(1))
            _ = handle(.heartbeat(Heartbeat(name: "sig", pid: pids["sig"]!)))
            for name in ["audio", "rtp-1", "rtp-2"] { _ = handle(.heartbeat(Heartbeat(name: name, pid: pids[name]!))) }
        }
        let down = handle(.exited(pid: pids["sig"]!, termination: .exited(1)))
        guard case .publish(let event)? = down.first else { return }
        let data = event.event.jsonObject
        #expect(data["restart_in_ms"] == 100)
    }

    @Test mutating func crashLoopIsReportedDegradedOnceAndClearedWhenStable() {
        bringUp()
        var seen: [String] = []
        for _ in 0..<7 {
            seen += events(handle(.exited(pid: pids["audio"]!, termination: .exited(1))))
            _ = advance(.seconds(11))  // past any backoff
            _ = handle(.hello(Hello(name: "audio", role: "audio", pid: pids["audio"]!, version: "1")))
        }
        #expect(seen.filter { $0 == "component.degraded" }.count == 1)
        #expect(seen.firstIndex(of: "component.degraded") == 5)  // right after the 5th component.down
        #expect(core.snapshot(now: now).first { $0.name == "audio" }?.degraded == true)
        for _ in 0..<31 {
            _ = advance(.seconds(1))
            for (name, pid) in pids { _ = handle(.heartbeat(Heartbeat(name: name, pid: pid))) }
        }
        #expect(core.snapshot(now: now).first { $0.name == "audio" }?.degraded == false)
    }

    @Test mutating func silentComponentIsDeclaredHungAndKilled() {
        bringUp()
        let audio = pids["audio"]!
        var killed: [SupervisorCore.Action] = []
        for _ in 0..<40 {  // 4 s in 100 ms ticks; everyone but audio keeps beating
            killed += advance(.milliseconds(100))
            for name in ["sig", "rtp-1", "rtp-2"] { _ = handle(.heartbeat(Heartbeat(name: name, pid: pids[name]!))) }
        }
        #expect(events(killed) == ["component.hung"])
        #expect(killed.contains(.signal(pid: audio, signal: SIGKILL)))
        let down = handle(.exited(pid: audio, termination: .signalled(SIGKILL)))
        #expect(events(down) == ["component.down"])
    }

    @Test mutating func hungIsDetectedAfterThreeMissedIntervalsNotBefore() {
        bringUp()
        let early = advance(.milliseconds(2900))
        #expect(!early.contains { if case .signal = $0 { true } else { false } })
        let late = advance(.milliseconds(200))
        #expect(late.filter { if case .signal(_, SIGKILL) = $0 { true } else { false } }.count == 4)
    }

    @Test mutating func componentThatNeverSaysHelloIsKilled() {
        _ = handle(.start)
        let actions = advance(.seconds(11))
        #expect(actions.filter { if case .signal(_, SIGKILL) = $0 { true } else { false } }.count == 4)
    }

    @Test mutating func heartbeatsGoToEveryUpComponentEachInterval() {
        bringUp()
        let first = advance(.milliseconds(10))
        #expect(first.filter { if case .send(_, .heartbeat) = $0 { true } else { false } }.count == 4)
        #expect(advance(.milliseconds(500)).filter { if case .send(_, .heartbeat) = $0 { true } else { false } }.isEmpty)
    }

    @Test mutating func stopTerminatesAllThenFinishes() {
        bringUp()
        let stop = handle(.stop)
        #expect(stop.filter { if case .signal(_, SIGTERM) = $0 { true } else { false } }.count == 4)
        var last: [SupervisorCore.Action] = []
        for name in ["sig", "audio", "rtp-1"] { last = handle(.exited(pid: pids[name]!, termination: .exited(0))) }
        #expect(last.isEmpty)
        // No restart while stopping, and a stubborn one is killed after the grace period.
        let escalate = advance(.seconds(4))
        #expect(escalate == [.signal(pid: pids["rtp-2"]!, signal: SIGKILL)])
        #expect(handle(.exited(pid: pids["rtp-2"]!, termination: .signalled(SIGKILL))) == [.finished])
    }

    @Test mutating func stopDuringBackoffDoesNotRestart() {
        bringUp()
        _ = handle(.exited(pid: pids["sig"]!, termination: .exited(1)))
        _ = handle(.stop)
        for name in ["audio", "rtp-1"] { _ = handle(.exited(pid: pids[name]!, termination: .exited(0))) }
        #expect(handle(.exited(pid: pids["rtp-2"]!, termination: .exited(0))) == [.finished])
        #expect(!advance(.seconds(1)).contains { if case .spawn = $0 { true } else { false } })
    }

    @Test func restartedOrchAdoptsRunningComponentsAndSpawnsOnlyTheMissing() {
        var config = InstanceConfig()
        config.rtp.workers = 1
        config.rtp.standby = 0
        var core = SupervisorCore(components: ComponentSpec.group(for: config), config: ConfigureContent(settings: [:]), settings: SupervisorCore.Settings(),
                                  now: .seconds(10), adopting: true)
        #expect(core.handle(.start, now: .seconds(10)).isEmpty)  // wait for the survivors to report in
        let adopt = core.handle(.heartbeat(Heartbeat(name: "sig", pid: 77)), now: .seconds(10.5))
        #expect(adopt.first == .adopt(name: "sig", pid: 77))
        #expect(adopt.contains { if case .send(to: "sig", .configure) = $0 { true } else { false } })
        #expect(adopt.contains { if case .publish(.up(let up)) = $0 { up.adopted } else { false } })
        _ = core.handle(.hello(Hello(name: "audio", role: "audio", pid: 78, version: "1")), now: .seconds(10.6))
        // After the window only rtp-1, which never reported, is spawned.
        let late = core.handle(.tick, now: .seconds(12.1))
        #expect(late.compactMap { if case .spawn(let s) = $0 { s.name } else { nil } } == ["rtp-1"])
        // An adopted component that vanishes is restarted like any other.
        let down = core.handle(.exited(pid: 77, termination: .vanished), now: .seconds(13))
        #expect(down.contains { if case .publish(.down) = $0 { true } else { false } })
    }

    @Test func restartBackoffUnit() {
        var b = RestartBackoff(initial: .milliseconds(100), maximum: .milliseconds(350))
        #expect([b.take(), b.take(), b.take(), b.take()] == [.milliseconds(100), .milliseconds(200), .milliseconds(350), .milliseconds(350)])
        b.reset()
        #expect(b.take() == .milliseconds(100))
    }

    // MARK: warm standby (rtp.standby)

    mutating func withStandby() {
        var config = InstanceConfig()
        config.rtp.workers = 2
        config.rtp.standby = 1
        core = SupervisorCore(components: ComponentSpec.group(for: config), config: ConfigureContent(settings: [:], instance: "t"),
                              settings: SupervisorCore.Settings(), now: now)
        bringUp()
    }

    @Test mutating func aStandbyTakesOverADeadWorkerAtOnceAndANewStandbyFollows() {
        withStandby()
        #expect(core.allUp)
        #expect(core.upComponents(role: "rtp") == ["rtp-1", "rtp-2"])  // a standby gets no calls of its own
        #expect(core.isStandby("rtp-standby-1"))
        let standbyPID = pids["rtp-standby-1"]!
        let down = handle(.exited(pid: pids["rtp-1"]!, termination: .signalled(SIGKILL)))
        #expect(events(down) == ["component.down"])
        let assume = down.compactMap { action -> (String, Request)? in
            if case .send(let to, .request(let r)) = action { (to, r) } else { nil }
        }
        #expect(assume.count == 1)
        #expect(assume.first?.0 == "rtp-standby-1")
        #expect(assume.first?.1.command == "component.assume")
        #expect(assume.first?.1.args["name"] == "rtp-1")
        #expect(!down.contains { if case .spawn = $0 { true } else { false } })  // no process to start
        // The standby says hello under its new name: rtp-1 is up again with the standby's pid and its own configuration.
        let hello = handle(.hello(Hello(name: "rtp-1", role: "rtp", pid: standbyPID, version: "1")))
        guard case .send(to: "rtp-1", .configure(let configure)) = hello.first else {
            Issue.record("expected configure, got \(hello)")
            return
        }
        #expect(configure.config["worker"]?["index"] == 1)
        #expect(events(hello) == ["component.up", "component.restarted"])
        let status = core.snapshot(now: now)
        #expect(status.first { $0.name == "rtp-1" }?.pid == standbyPID)
        #expect(status.first { $0.name == "rtp-1" }?.restarts == 1)
        #expect(status.first { $0.name == "rtp-standby-1" }?.state == .down)
        // A new standby is started after a short pause.
        let later = advance(.milliseconds(350))
        #expect(later.contains { if case .spawn(let s) = $0 { s.name == "rtp-standby-1" && s.arguments == ["--standby"] } else { false } })
        #expect(pids["rtp-standby-1"] != standbyPID)
        // The promoted process dying is rtp-1 dying (the reaper reports its pid).
        _ = handle(.hello(Hello(name: "rtp-standby-1", role: "rtp", pid: pids["rtp-standby-1"]!, version: "1")))
        let again = handle(.exited(pid: standbyPID, termination: .signalled(SIGKILL)))
        #expect(again.contains { if case .send(to: "rtp-standby-1", .request(let r)) = $0 { r.args["name"] == "rtp-1" } else { false } })
    }

    @Test mutating func withoutAReadyStandbyAWorkerRestartsAsBefore() {
        withStandby()
        // The standby itself dies: it is restarted like any component (no standby stands in for a standby).
        let standbyDown = handle(.exited(pid: pids["rtp-standby-1"]!, termination: .signalled(SIGKILL)))
        #expect(!standbyDown.contains { if case .send(_, .request) = $0 { true } else { false } })
        // A worker dying meanwhile waits for a process to start.
        let down = handle(.exited(pid: pids["rtp-2"]!, termination: .signalled(SIGKILL)))
        #expect(!down.contains { if case .send(_, .request) = $0 { true } else { false } })
        let respawn = advance(.milliseconds(150))
        #expect(respawn.contains { if case .spawn(let s) = $0 { s.name == "rtp-2" } else { false } })
    }

    // MARK: the worker pool at runtime

    @Test mutating func addedWorkersReDivideThePortsAndADrainedWorkerLeavesAfterItsStop() {
        bringUp()
        let (names, actions) = core.addWorkers(1, now: now)
        #expect(names == ["rtp-3"])
        // Running workers get the new count at once; the new one is spawned with it.
        let configured = actions.compactMap { action -> (String, JSONValue?)? in
            if case .send(let to, .configure(let c)) = action { (to, c.config["worker"]) } else { nil }
        }
        #expect(configured.map(\.0).sorted() == ["rtp-1", "rtp-2"])
        #expect(configured.allSatisfy { $0.1?["count"] == 3 })
        #expect(actions.contains { if case .spawn(let s) = $0 { s.name == "rtp-3" && s.worker?.index == 3 } else { false } })
        #expect(core.upComponents(role: "rtp") == ["rtp-1", "rtp-2"])  // rtp-3 gets calls once it is up

        #expect(core.drain("rtp-9") == .unknown("rtp-9", known: ["rtp-1", "rtp-2", "rtp-3"]))
        #expect(core.drain("rtp-2") == nil)
        #expect(core.upComponents(role: "rtp") == ["rtp-1"])
        let stop = core.retire("rtp-2")
        #expect(stop == [.signal(pid: pids["rtp-2"]!, signal: SIGTERM)])
        let gone = handle(.exited(pid: pids["rtp-2"]!, termination: .exited(0)))
        #expect(events(gone) == ["worker.removed"])
        #expect(!core.workers.contains { $0.name == "rtp-2" })
        #expect(advance(.seconds(1)).allSatisfy { if case .spawn = $0 { false } else { true } }, "a removed worker is not restarted")
        // Its name (and port share) is the next one handed out; the last worker cannot be drained.
        #expect(core.addWorkers(1, now: now).names == ["rtp-2"])
        #expect(core.drain("rtp-3") == nil)
        #expect(core.drain("rtp-2") == nil)
        #expect(core.drain("rtp-1") == .last("rtp-1"))
    }
}
