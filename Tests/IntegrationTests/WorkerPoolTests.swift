import Foundation
import ProcessSupport
import Testing
import Wire

extension ProcessGroupTests {
    /// `sipc workers`: the media worker pool of a running group grows and shrinks without dropping a call.
    @Suite(.serialized) struct WorkerPoolTests {
        /// a's calls, by the worker that carries them.
        static func load(_ a: TestInstance) async throws -> [String: [String]] {
            let calls = try await a.handle.request("calls")["calls"]?.arrayValue ?? []
            var byWorker: [String: [String]] = [:]
            for c in calls where c["state"]?.stringValue == "connected" {
                byWorker[c["worker"]?.stringValue ?? "?", default: []].append(c["call_id"]?.stringValue ?? "?")
            }
            return byWorker
        }

        static func connected(_ a: TestInstance) async -> Int {
            ((try? await a.handle.request("calls"))?["calls"]?.arrayValue ?? []).filter { $0["state"]?.stringValue == "connected" }.count
        }

        /// b calls a once more and waits until a has `total` connected calls.
        static func call(_ b: TestInstance, _ a: TestInstance, port: Int, total: Int) async throws {
            _ = try await b.handle.request("call", args: ["to": .string("sip:alice@127.0.0.1:\(port)")], timeout: .seconds(10))
            try #require(await eventually(timeout: .seconds(10)) { await connected(a) == total }, "call \(total) did not connect")
        }

        static func workers(_ a: TestInstance) throws -> [JSONValue] {
            let run = try a.sipc(["workers", "list", "--json"])
            #expect(run.status == 0, "\(run.stderr)")
            return try JSONDecoder().decode(JSONValue.self, from: Data(run.stdout.utf8))["workers"]?.arrayValue ?? []
        }

        @Test func workersAreAddedAndADrainedWorkerLeavesOnlyAfterItsCallsEnd() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true))
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))
                    try await Self.call(b, a, port: port, total: 1)
                    #expect(try await Self.load(a).keys.sorted() == ["rtp-1"])

                    let add = try a.sipc(["workers", "add", "1"])
                    #expect(add.status == 0, "\(add.stderr)")
                    #expect(add.stdout.contains("added rtp-2"))
                    let listed = try Self.workers(a)
                    #expect(listed.map { $0["name"]?.stringValue } == ["rtp-1", "rtp-standby-1", "rtp-2"])
                    #expect(listed.allSatisfy { $0["state"]?.stringValue == "up" })

                    // New calls go to the least loaded worker: the load evens out.
                    for total in 2...4 { try await Self.call(b, a, port: port, total: total) }
                    var load = try await Self.load(a)
                    #expect(load["rtp-1"]?.count == 2 && load["rtp-2"]?.count == 2, "\(load)")

                    // Draining rtp-1: it keeps its calls (media still flowing) and gets no new one.
                    let oldPID = try await a.pid(of: "rtp-1")
                    let remove = try a.sipc(["workers", "remove", "rtp-1", "--no-wait"])
                    #expect(remove.status == 0, "\(remove.stderr)")
                    #expect(remove.stdout.contains("draining rtp-1: it stops when its 2 call(s) have ended"))
                    #expect(try Self.workers(a).first { $0["name"]?.stringValue == "rtp-1" }?["draining"] == true)
                    try await Self.call(b, a, port: port, total: 5)
                    load = try await Self.load(a)
                    #expect(load["rtp-1"]?.count == 2 && load["rtp-2"]?.count == 3, "\(load)")
                    let draining = try #require(load["rtp-1"])
                    let before = try await a.handle.request("call_stats", args: ["call": .string(draining[0])])["packets_received"]?.intValue ?? 0
                    #expect(await eventually {
                        let now = try? await a.handle.request("call_stats", args: ["call": .string(draining[0])])["packets_received"]?.intValue
                        return (now ?? 0) >= before + 10
                    }, "a draining worker's calls keep their media")
                    #expect(ChildProcess.isRunning(oldPID))

                    // The last media worker and a standby cannot be removed.
                    let last = try a.sipc(["workers", "remove", "rtp-2"])
                    #expect(last.status == 1 && last.stderr.contains("last media worker"), "\(last.stderr)")
                    let standby = try a.sipc(["workers", "remove", "rtp-standby-1"])
                    #expect(standby.status == 1 && standby.stderr.contains("standby"), "\(standby.stderr)")

                    // Once its calls have ended, rtp-1 stops and leaves the pool; the other calls are untouched.
                    for call in draining { _ = try await a.handle.request("hangup", args: ["call": .string(call)]) }
                    #expect(await eventually(timeout: .seconds(10)) {
                        ((try? Self.workers(a)) ?? []).allSatisfy { $0["name"]?.stringValue != "rtp-1" } && !ChildProcess.isRunning(oldPID)
                    }, "the drained worker left")
                    #expect(await Self.connected(a) == 3)
                    #expect(try await Self.load(a).keys.sorted() == ["rtp-2"])
                    let b3 = try await b.handle.request("calls")["calls"]?.arrayValue ?? []
                    #expect(b3.filter { $0["state"]?.stringValue == "connected" }.count == 3, "no other call was dropped")
                    _ = try await b.handle.request("hangup", args: ["all": true])
                    #expect(await eventually(timeout: .seconds(10)) { await Self.connected(a) == 0 })
                }
            }
        }
    }
}
