import ArgumentParser
import ComponentRuntime
import Foundation
import Logging
import Signaling
import Wire

/// sip-sig: SIP signalling component of the process group, supervised by sip-orch.
@main
struct SipSig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sip-sig", abstract: "SIP signalling (started by sip-orch).")

    @Option var instance: String
    @Option var runDir: String
    @Option var name: String = "sig"
    @Option var logLevel: String = "info"

    func run() async throws {
        let options = ComponentOptions(instance: instance, runDirectory: runDir, name: name, logLevel: logLevel)
        let (agent, logger) = options.makeAgent(role: "sig")
        let holder = ServiceHolder()
        let reason = await agent.run(
            onConfigure: { configure in
                await holder.configure(configure, logger: logger) { event in agent.emit(event) }
            },
            stats: { holder.lastStats.value.withLock { $0 } },
            requests: { request in await holder.service?.handle(request) })
        await holder.service?.shutdown()
        if case .orchGone = reason { throw ExitCode(3) }
    }
}

import Synchronization

/// Creates the user agent on the first `configure` (the listen address comes from it) and keeps it across
/// re-configures (an orch restart must not drop calls or registrations).
actor ServiceHolder {
    private(set) var service: SignalingService?
    nonisolated let lastStats = StatsBox()
    private var statsTask: Task<Void, Never>?

    func configure(_ configure: Configure, logger: Logger, emit: @escaping SignalingService.Emit) async {
        guard service == nil else { return }
        let settings = SignalingSettings(configure: configure)
        let service = SignalingService(settings: settings, logger: logger, emit: emit)
        do {
            try await service.start()
        } catch {
            logger.critical("cannot start SIP: \(error)")
            exit(1)
        }
        self.service = service
        let stats = lastStats
        statsTask = Task {
            while !Task.isCancelled {
                let snapshot = await service.stats()
                stats.value.withLock { $0 = snapshot }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}

/// The latest stats snapshot, readable synchronously by the heartbeat.
final class StatsBox: Sendable {
    let value = Mutex<JSONObject>([:])
}
