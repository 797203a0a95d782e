import Foundation
import GroupControl
import SIPClient
import Testing

extension SIPClientTests {
    @Suite struct EventStreamTests {
        /// Two consumers of `events` each see a media worker's crash and restart; the client keeps working.
        @Test func everyConsumerSeesAComponentRestart() async throws {
            let groups = TestGroups()
            do {
                let client = try await startClient { _ in
                    let base = ClientTestPorts.block()
                    return testBuilder(user: "carol", root: groups.root, sipPort: base, rtpLow: base + 4, autoAnswer: false)
                }
                await groups.add(client)
                let first = Recorder(client.events), second = Recorder(client.events)
                defer { first.stop(); second.stop() }
                let handle = InstanceHandle(runDirectory: client.configuration.runDirectory)
                let status = try await handle.status()
                let worker = try #require(status.components.first { $0.name == "rtp-1" })
                let pid = Int(try #require(worker.pid))
                kill(Int32(pid), SIGKILL)
                for recorder in [first, second] {
                    #expect(await recorder.wait { all in
                        all.contains { $0.componentRestarted.map { e in e.change == .restarted && e.name == "rtp-1" && e.previousPID == pid } ?? false }
                    })
                }
                await groups.add(client)  // the restarted worker's pid, for the leftover check
                #expect(try await client.audioControls().muted == false)
            } catch {
                await groups.finish()
                throw error
            }
            await groups.finish()
        }
    }
}
