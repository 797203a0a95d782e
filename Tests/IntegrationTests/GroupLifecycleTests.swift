import Foundation
import GroupControl
import ProcessSupport
import Testing
import Timebase
import Wire

extension ProcessGroupTests {
    /// The real process group, started with the real `sipc`: processes, sockets and signals, no mocks.
    @Suite(.serialized) struct GroupLifecycleTests {
        @Test func upShowsSixProcessesAndDownLeavesNothing() async throws {
            try await withInstance { instance in
            let status = try await instance.up()
            let components = status.components
            #expect(components.map(\.name) == ["orch", "sig", "audio", "rtp-1", "rtp-2", "rtp-standby-1"])
            #expect(components.allSatisfy { $0.state == "up" })
            #expect(components.last?.standby == true, "the warm standby worker is marked")
            let pids = instance.handle.pids(in: status)
            #expect(Set(pids).count == 6)
            #expect(pids.allSatisfy(ChildProcess.isRunning))

            // The CLI's JSON carries the documented fields.
            let run = try instance.sipc(["status", "--json"])
            #expect(run.status == 0)
            let json = try JSONValue.decode(Array(run.stdout.utf8))
            #expect(json["registrations"] == [])
            #expect(json["calls"] == [])
            for c in json["components"]?.arrayValue ?? [] {
                #expect(c["name"]?.stringValue != nil && c["pid"]?.intValue != nil && c["state"]?.stringValue != nil
                        && c["restarts"]?.intValue != nil && c["uptime_s"]?.doubleValue != nil)
            }
            let again = try instance.sipc(["up"])
            #expect(again.status == 1)
            #expect(again.stderr.contains("already running"))
            let table = try instance.sipc(["status"])
            #expect(table.stdout.contains("rtp-2") && table.stdout.contains("up"))

            let down = try instance.sipc(["down"])
            #expect(down.status == 0)
            #expect(pids.allSatisfy { !ChildProcess.isRunning($0) })
            #expect(instance.leftovers == [])  // no socket file, no pid file
            #expect(try instance.sipc(["status"]).status == 1)
            }
        }

        @Test(arguments: ["rtp-1", "sig", "audio"])
        func killedComponentIsBackWithANewPIDWithinTwoSeconds(component: String) async throws {
            try await withInstance { instance in
            _ = try await instance.up()
            let events = try await EventRecorder(instance)
            defer { events.stop() }
            let old = try await instance.pid(of: component)
            let killedAt = MonotonicClock.now()
            kill(old, SIGKILL)
            var new: Int32 = 0
            let back = try await eventually(timeout: .seconds(2)) {
                let s = try await instance.status()
                guard let c = instance.component(component, in: s), c.state == "up", let pid = c.pid.map(Int.init), pid != old else { return false }
                new = Int32(pid)
                return true
            }
            let elapsed = MonotonicClock.now().since(killedAt)
            #expect(back, "\(component) not back within 2 s")
            #expect(elapsed < .seconds(2))
            let restarted = await events.wait { $0.type == "component.restarted" && $0.data["name"]?.stringValue == component }
            #expect(restarted?.data["previous_pid"] == .init(old))
            #expect(restarted?.data["pid"] == .init(new))
            #expect(restarted?.data["restarts"] == 1)
            #expect(restarted?.data["reason"] == "killed by signal 9 (SIGKILL)")
            #expect(events.all.contains { $0.type == "component.down" && $0.data["name"]?.stringValue == component })
            }
        }

        @Test func stoppedComponentIsDetectedAsHungKilledAndRestarted() async throws {
            try await withInstance { instance in
            let config = try instance.writeConfig("""
                supervision:
                  heartbeat_interval_ms: 200
                  heartbeat_liveness: 3
                """)
            _ = try await instance.up(["--config", config])
            let events = try await EventRecorder(instance)
            defer { events.stop() }
            let old = try await instance.pid(of: "rtp-2")
            kill(old, SIGSTOP)
            let hung = await events.wait { $0.type == "component.hung" && $0.data["name"]?.stringValue == "rtp-2" }
            #expect(hung != nil)
            let restarted = await events.wait { $0.type == "component.restarted" && $0.data["name"]?.stringValue == "rtp-2" }
            #expect(restarted?.data["previous_pid"] == .init(old))
            #expect(await eventually { !ChildProcess.isRunning(old) })
            // The others were never disturbed.
            #expect(events.all.filter { $0.type == "component.down" }.count == 1, "\(events.all.map { "\($0.type) \($0.data)" })")
            }
        }

        @Test func badConfigRefusesToStartWithAMessageThatNamesTheFix() async throws {
            try await withInstance { instance in
            let config = try instance.writeConfig("rtp:\n  workers: lots\n")
            let run = try instance.sipc(["up", "--config", config])
            #expect(run.status == 2)
            #expect(run.stderr.contains("config.yaml:2: rtp.workers = 'lots': invalid value. Fix: set rtp.workers to an integer from 0 to 64"))
            let typo = try instance.writeConfig("rtp:\n  wrokers: 2\n")
            let run2 = try instance.sipc(["up", "--config", typo])
            #expect(run2.status == 2)
            #expect(run2.stderr.contains("unknown key") && run2.stderr.contains("did you mean 'rtp.workers'"))
            let flag = try instance.sipc(["up", "--rtp-ports", "9000-10"])
            #expect(flag.status == 2)
            #expect(flag.stderr.contains("--rtp-ports"))
            #expect(instance.handle.orchPID == nil)  // nothing was started
            }
        }

        @Test func sigtermToOrchStopsEveryChildAndRemovesItsSockets() async throws {
            try await withInstance { instance in
            let status = try await instance.up(["--rtp-workers", "3"])
            let pids = instance.handle.pids(in: status)
            #expect(pids.count == 7)  // orch, sig, audio, 3 workers, the standby
            let orch = try #require(instance.handle.orchPID)
            let keeper = try #require(instance.runDirectory.runningKeeperPID())
            kill(orch, SIGTERM)
            #expect(await eventually { (pids + [keeper]).allSatisfy { !ChildProcess.isRunning($0) } })
            #expect(await eventually { instance.leftovers.isEmpty }, "left: \(instance.leftovers)")
            }
        }

        @Test func componentsExitByThemselvesWhenOrchAndItsKeeperAreGone() async throws {
            try await withInstance { instance in
            let config = try instance.writeConfig("supervision:\n  orch_timeout_s: 1\n  heartbeat_interval_ms: 200\n")
            let status = try await instance.up(["--config", config])
            let orch = try #require(instance.handle.orchPID)
            let keeper = try #require(instance.runDirectory.runningKeeperPID())
            let children = instance.handle.pids(in: status).filter { $0 != orch }
            kill(keeper, SIGKILL)
            kill(orch, SIGKILL)
            #expect(await eventually(timeout: .seconds(4)) { children.allSatisfy { !ChildProcess.isRunning($0) } })
            }
        }

        @Test func killedOrchIsBackWithinTwoSecondsAndAdoptsTheRunningComponents() async throws {
            try await withInstance { instance in
            let before = try await instance.up()
            let oldOrch = try #require(instance.handle.orchPID)
            let components = instance.handle.pids(in: before).filter { $0 != oldOrch }
            let killedAt = MonotonicClock.now()
            kill(oldOrch, SIGKILL)
            var after: OrchAPI.Status.Result?
            let back = await eventually(timeout: .seconds(2)) {
                guard let s = try? await instance.status(), s.allUp,
                      let pid = instance.component("orch", in: s)?.pid, pid != oldOrch else { return false }
                after = s
                return true
            }
            #expect(back, "orch not back within 2 s")
            #expect(MonotonicClock.now().since(killedAt) < .seconds(2))
            let adopted = try #require(after)
            #expect(instance.component("orch", in: adopted)?.restarts == 1)
            // The components never stopped: same pids, taken over by the new orch.
            #expect(instance.handle.pids(in: adopted).filter { $0 != instance.handle.orchPID } == components)
            // An adopted component is still supervised: kill it and it comes back.
            let events = try await EventRecorder(instance)
            defer { events.stop() }
            let rtp = try await instance.pid(of: "rtp-1")
            kill(rtp, SIGKILL)
            let restarted = await events.wait { $0.type == "component.restarted" && $0.data["name"] == "rtp-1" }
            #expect(restarted?.data["previous_pid"] == .init(rtp))
            }
        }

        @Test func sipcEventsStreamsOneJSONObjectPerLine() async throws {
            try await withInstance { instance in
            _ = try await instance.up()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: instance.binDir + "/sipc")
            process.arguments = ["events", "--json", "--type", "instance.probe", "--count", "2", "--timeout", "10", "--instance", instance.name]
            process.environment = instance.environment
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            // Probe until sipc has seen two events and exited (its subscription joins asynchronously).
            let done = try await eventually(timeout: .seconds(10)) {
                _ = try await instance.handle.request("probe_events", args: ["token": "cli"])
                return !process.isRunning
            }
            #expect(done)
            let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            #expect(lines.count == 2)
            for line in lines {
                let event = try JSONValue.decode(Array(line.utf8))
                #expect(event["type"] == "instance.probe")
                #expect(event["data"]?["token"] == "cli")
                #expect(event["seq"]?.intValue != nil)
            }
            #expect(process.terminationStatus == 0)
            }
        }

        @Test func twoInstancesRunSideBySide() async throws {
            try await withInstance(name: "alpha") { a in
            // Same runtime root, different names: each gets its own run directory and sockets.
            try await withInstance(name: "beta", root: a.root) { sb in
            let statusA = try await a.up()
            let statusB = try await sb.up(["--rtp-workers", "1"])
            #expect(Set(a.handle.pids(in: statusA)).isDisjoint(with: sb.handle.pids(in: statusB)))
            #expect(statusB.components.count == 5)
            #expect(try a.sipc(["down"]).status == 0)
            #expect(try await sb.status().allUp)  // beta unaffected
            #expect(try sb.sipc(["down"]).status == 0)
            }
            }
        }
    }
}
