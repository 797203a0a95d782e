import Foundation
import GroupControl
import ProcessSupport
import Synchronization
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// A SIP softphone in a few lines: place and answer calls, follow events, control audio.
///
///     let client = try await SIPClient(identity: "sip:alice@example.com")
///     let call = try await client.call("sip:bob@127.0.0.1:5062")
///     try await call.waitForAnswer()
///     try await call.hangup()
///
/// The client talks to an instance of the softphone's process group (sip-orch and its components) over its
/// bus. It attaches to the instance if one runs, else starts one and stops it again in `shutdown()`.
/// Thread-safe: use it from any task.
public final class SIPClient: Sendable {
    let core: ClientCore
    /// The configuration the client was made with.
    public let configuration: SIPClientConfiguration

    /// Attaches to the running instance (`$SIPC_INSTANCE`, else `default`) or starts one with sane defaults (SIP on
    /// 0.0.0.0:5060, the sound card if ALSA has a `default` device, else no audio device). `identity` is the
    /// client's SIP address of record.
    public convenience init(identity: String) async throws(SIPClientError) {
        try await self.init(configuration: SIPClientBuilder(identity: identity).build())
    }

    /// Attaches to or starts the configured instance, subscribes to its events, and registers the account when
    /// credentials or a registrar were configured. Returns once events are flowing (none is missed from here on)
    /// and the registration is confirmed. If anything fails, a group this call started is stopped again.
    public init(configuration: SIPClientConfiguration) async throws(SIPClientError) {
        self.configuration = configuration
        let (handle, owns) = try await GroupConnector.connect(configuration)
        do {
            core = try await ClientCore(identity: configuration.identity, handle: handle, ownsGroup: owns)
        } catch {
            if owns { await GroupConnector.stop(handle) }
            throw error
        }
        if let account = configuration.account {
            do {
                try await core.registerAccount(account)
            } catch {
                core.close()
                if owns { await GroupConnector.stop(handle) }
                throw error
            }
        }
    }

    /// A client that was never shut down stops a group it started (SIGTERM to the group's keeper, which stops
    /// it in order), so a forgotten `shutdown()` does not leave processes behind.
    deinit {
        guard core.shutdownTask.withLock({ $0 == nil }), core.close() else { return }
        if core.ownsGroup, let keeper = core.handle.runDirectory.runningKeeperPID() { kill(keeper, SIGTERM) }
    }

    /// The instance this client talks to.
    public var instanceName: String { core.handle.name }
    /// The client's SIP identity.
    public var identity: String { core.identity }
    /// True when this client started the process group (and `shutdown()` stops it).
    public var ownsInstance: Bool { core.ownsGroup }

    /// Every event of the instance, typed. Each access gives a new stream (several consumers can follow), which
    /// sees the events published after it was created; it finishes at `shutdown()`. A consumer that falls more
    /// than 4096 events behind loses the oldest.
    public var events: AsyncStream<SIPClientEvent> { core.events.stream() }

    /// Stops the client: calls still followed end with reason "the client shut down", streams finish, sockets
    /// close, and a group this client started is stopped (its calls hung up, its processes ended, its sockets
    /// removed). A group it attached to keeps running; an account this client registered there is unregistered.
    /// Idempotent.
    public func shutdown() async {
        // Every caller waits for the same shutdown, so none returns while the group is still stopping.
        let core = self.core
        let task = core.shutdownTask.withLock { running -> Task<Void, Never> in
            if let running { return running }
            let task = Task { await core.shutDown() }
            running = task
            return task
        }
        await task.value
    }
}
