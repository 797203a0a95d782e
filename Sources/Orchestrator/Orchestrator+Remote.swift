import Bus
import Config
import Foundation
import Timebase
import Wire

/// Media workers on other hosts: orch listens on `remote.listen` (CurveZMQ: it proves itself with the instance key,
/// and its ZAP handler lets in only the workers' public keys in `remote.authorized_keys`). A remote worker is an
/// external component: it says hello, is configured and heartbeats like a local one; orch can neither start nor kill
/// it, and when it goes silent its calls move to another worker (new port, re-INVITE to the peer).
extension Orchestrator {
    static let controlDomain = "sip-client-control"

    func openRemoteListener() throws {
        let remote = config.remote
        guard !remote.listen.isEmpty else { return }
        let zap: ZAPAuthenticator
        do { zap = try ZAPAuthenticator() } catch { throw StartError.remote("\(error)") }
        let secured: RemoteServerSecurity
        do {
            secured = try RemoteServerSecurity.configure(keyFile: remote.keyFile, authorizedKeys: remote.authorizedKeys,
                                                         allowPlaintext: remote.allowPlaintext, domain: Self.controlDomain,
                                                         authenticator: zap)
        } catch {
            zap.shutdown()
            throw StartError.remote("\(error)")
        }
        if let key = secured.instanceKey {
            logger.info("remote workers: CurveZMQ", metadata: ["listen": "\(remote.listen)", "authorized_keys": "\(secured.authorizedCount)",
                                                               "instance_key": "\(key)"])
        }
        let events = self.events
        let logger = self.logger
        zap.onDecision { decision in
            guard !decision.allowed else { return }
            logger.warning("refused a remote connection", metadata: ["address": "\(decision.address)", "mechanism": "\(decision.mechanism)",
                                                                     "key": "\(decision.publicKey ?? "-")"])
            events?.publish(WorkerRefusedEvent(address: decision.address, key: decision.publicKey ?? "",
                                               message: decision.mechanism == "CURVE"
                                                   ? "a worker with an unknown key tried to connect; to let it in, put its .pub file into remote.authorized_keys and restart the instance"
                                                   : "a plain-text connection was refused: workers must use CurveZMQ (sip-rtp --orch-key/--key-file)"))
        }
        do {
            remoteControl = try ControlServer(bindTo: remote.listen, security: secured.security, zapDomain: secured.zapDomain)
        } catch {
            zap.shutdown()
            throw StartError.remote("cannot listen on \(remote.listen): \(error)")
        }
        remoteZAP = zap
    }

    /// Only what a worker sends is taken from the remote socket: hello, heartbeats, replies and events. Requests
    /// (the softphone API) are refused there; a hello may not claim a name orch's own components use.
    func onRemoteControl(_ inbound: ControlInbound) {
        switch inbound.message {
        case .hello(let hello):
            guard hello.role == "rtp", inbound.peer == hello.name,
                  core.addExternalWorker(hello.name, now: MonotonicClock.now()) else {
                logger.warning("a remote hello for a name orch uses itself was ignored", metadata: ["name": "\(hello.name)"])
                return
            }
            if !remotePeers.contains(hello.name) {
                logger.notice("a remote media worker joined", metadata: ["worker": "\(hello.name)", "pid": "\(hello.pid)"])
            }
            remotePeers.insert(hello.name)
            onControl(inbound)
        case .heartbeat(let hb):
            guard remotePeers.contains(hb.name), inbound.peer == hb.name else { return }
            onControl(inbound)
        case .reply, .event:
            guard remotePeers.contains(inbound.peer) else { return }
            onControl(inbound)
        case .request(let request):
            remoteControl?.reply(inbound, Reply(id: request.id, error: WireError(.badArgs,
                "the remote worker endpoint takes no requests; use the instance's control socket on its host (sipc)")))
        case .configure:
            break
        }
    }

    /// Sends to a component on whichever socket it is connected to.
    func sendControl(_ message: ControlMessage, to name: String) {
        if remotePeers.contains(name), let remoteControl {
            remoteControl.send(message, toPeer: name)
        } else {
            control?.send(message, toPeer: name)
        }
    }
}
