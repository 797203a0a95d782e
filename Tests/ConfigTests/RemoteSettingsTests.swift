import Testing
@testable import Config

/// `remote.*`: a plain-text tcp endpoint is refused unless explicitly allowed, and then only on loopback.
@Suite struct RemoteSettingsTests {
    func remote(_ yaml: String) throws -> RemoteSettings {
        var config = InstanceConfig()
        try ConfigLoader.apply(yaml: yaml, source: "t.yaml", to: &config)
        return config.remote
    }

    @Test func plainTextIsRefusedUnlessAllowedAndOnlyOnLoopback() throws {
        let plain = try remote("remote:\n  accept_workers: true\n  listen: tcp://10.0.0.2:5600\n  audio_listen: tcp://10.0.0.2:5601\n")
        #expect(plain.problem()?.problem == "a plain-text tcp endpoint is refused")
        #expect(plain.problem()?.fix.contains("sipc keys generate") == true)
        let allowedButPublic = try remote("remote:\n  accept_workers: true\n  allow_plaintext: true\n  listen: tcp://10.0.0.2:5600\n  audio_listen: tcp://10.0.0.2:5601\n")
        #expect(allowedButPublic.problem()?.problem == "plain text is only allowed on loopback (127.0.0.1, ::1)")
        let loopback = try remote("remote:\n  accept_workers: true\n  allow_plaintext: true\n  listen: tcp://127.0.0.1:5600\n  audio_listen: tcp://127.0.0.1:5601\n")
        #expect(loopback.problem() == nil)
    }

    @Test func curveNeedsAuthorisedKeysAnAdvertisedAddressAndAudio() throws {
        let noKeys = try remote("remote:\n  accept_workers: true\n  listen: tcp://0.0.0.0:5600\n  audio_listen: tcp://0.0.0.0:5601\n  key_file: /k/instance.key\n")
        #expect(noKeys.problem()?.key == "remote.authorized_keys")
        let noAdvertise = try remote("remote:\n  accept_workers: true\n  listen: tcp://0.0.0.0:5600\n  audio_listen: tcp://0.0.0.0:5601\n  key_file: /k/i.key\n  authorized_keys: /k/a\n")
        #expect(noAdvertise.problem()?.key == "remote.advertise")
        let noAudio = try remote("remote:\n  accept_workers: true\n  listen: tcp://10.0.0.2:5600\n  key_file: /k/i.key\n  authorized_keys: /k/a\n")
        #expect(noAudio.problem()?.key == "remote.audio_listen")
        let good = try remote("remote:\n  accept_workers: true\n  listen: tcp://0.0.0.0:5600\n  audio_listen: tcp://0.0.0.0:5601\n  key_file: /k/i.key\n  authorized_keys: /k/a\n  advertise: 10.0.0.2\n")
        #expect(good.problem() == nil)
        #expect(throws: ConfigError.self) { _ = try remote("remote:\n  listen: http://x\n") }
    }
}
