import Foundation
import Synchronization
import Testing
import Wire
@testable import Bus

/// CurveZMQ on real sockets over tcp:// loopback: only clients whose public key is authorised get through, the
/// traffic is encrypted, and key files are written and read with their permissions checked.
@Suite(.serialized) struct CurveSecurityTests {
    @Test func thisLibzmqHasCurve() {
        #expect(CurveKeyPair.isSupported)
    }

    @Test func anAuthorisedClientIsServedAndOthersAreRefused() async throws {
        let serverKeys = try CurveKeyPair.generate(), good = try CurveKeyPair.generate(), bad = try CurveKeyPair.generate()
        #expect(serverKeys != good && CurveKeyPair.isValidKey(serverKeys.publicKey) && CurveKeyPair.isValidKey(good.secretKey))
        let domain = "test-\(UUID().uuidString.prefix(8))"
        // The server's context has its own handler (the clients' context needs none: the server decides).
        let context = try ZMQContext()
        let zap = try ZAPAuthenticator(context: context)
        defer { zap.shutdown() }  // runs last: after the server it guards
        zap.setPolicy(.curve(authorized: [good.publicKey]), for: domain)
        let refused = Mutex<[String]>([])
        zap.onDecision { decision in if !decision.allowed { refused.withLock { $0.append(decision.publicKey ?? "-") } } }
        let server = try ControlServer(bindTo: "tcp://127.0.0.1:*", security: .curveServer(secretKey: serverKeys.secretKey, domain: domain),
                                       context: context)
        let serving = ControlRoundTripTests.serve(server)
        defer { server.shutdown(); serving.cancel() }

        let client = try ControlClient(connectTo: server.boundEndpoint,
                                       security: .curveClient(serverKey: serverKeys.publicKey, publicKey: good.publicKey, secretKey: good.secretKey))
        defer { client.shutdown() }
        #expect(try await client.request("echo", args: ["hello": "curve"], timeout: .seconds(5)) == ["hello": "curve"])

        // A key the server does not know: the handshake is refused, nothing reaches the application.
        let stranger = try ControlClient(connectTo: server.boundEndpoint,
                                         security: .curveClient(serverKey: serverKeys.publicKey, publicKey: bad.publicKey, secretKey: bad.secretKey))
        defer { stranger.shutdown() }
        await #expect(throws: (any Error).self) { _ = try await stranger.request("echo", args: ["x": 1], timeout: .milliseconds(700)) }
        #expect(zap.deniedCount > 0 && refused.withLock { $0.contains(bad.publicKey) })
        // A plain-text client gets nowhere either.
        let plain = try ControlClient(connectTo: server.boundEndpoint)
        defer { plain.shutdown() }
        await #expect(throws: (any Error).self) { _ = try await plain.request("echo", args: ["x": 1], timeout: .milliseconds(700)) }
        // A client that has the wrong idea of the server's key cannot connect (no trust on first use).
        let fooled = try ControlClient(connectTo: server.boundEndpoint,
                                       security: .curveClient(serverKey: bad.publicKey, publicKey: good.publicKey, secretKey: good.secretKey))
        defer { fooled.shutdown() }
        await #expect(throws: (any Error).self) { _ = try await fooled.request("echo", args: ["x": 1], timeout: .milliseconds(700)) }
        // The authorised client still works.
        #expect(try await client.request("echo", args: ["n": 2]) == ["n": 2])
        #expect(zap.allowedCount > 0)
    }

    @Test func aContextHasOneZAPHandler() async throws {
        let context = try ZMQContext()
        let first = try ZAPAuthenticator(context: context)
        #expect(throws: ZAPAuthenticator.StartError.alreadyRunning) { _ = try ZAPAuthenticator(context: context) }
        let elsewhere = try ZAPAuthenticator(context: try ZMQContext())  // another context has its own
        elsewhere.shutdown()
        first.shutdown()
        // libzmq releases the address when it reaps the closed socket, shortly after.
        var again: ZAPAuthenticator?
        #expect(await eventually { again = try? ZAPAuthenticator(context: context); return again != nil })
        again?.shutdown()
    }

    @Test func keyFilesRoundTripAndASecretReadableByOthersIsRefused() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let pair = try CurveKeyPair.generate()
        let (secretPath, publicPath) = try KeyFiles.write(pair, name: "worker", directory: dir.path)
        #expect(try KeyFiles.readKeyPair(secretPath) == pair)
        #expect(try KeyFiles.readPublicKey(publicPath) == pair.publicKey)
        #expect(try KeyFiles.readPublicKey(secretPath) == pair.publicKey)
        #expect(try KeyFiles.readAuthorizedKeys(dir.path) == [pair.publicKey])
        var st = stat()
        stat(secretPath, &st)
        #expect(st.st_mode & 0o777 == 0o600)
        // Never overwritten.
        #expect(throws: KeyFileError.self) { _ = try KeyFiles.write(pair, name: "worker", directory: dir.path) }
        chmod(secretPath, 0o644)
        #expect(throws: KeyFileError.tooOpen(path: secretPath, mode: "644")) { _ = try KeyFiles.readKeyPair(secretPath) }
        try "public=nonsense\n".write(toFile: dir.path + "/bad.pub", atomically: true, encoding: .utf8)
        #expect(throws: KeyFileError.self) { _ = try KeyFiles.readAuthorizedKeys(dir.path) }
    }
}
