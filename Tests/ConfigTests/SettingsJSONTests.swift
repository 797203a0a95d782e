import Config
import Testing
import Wire

/// The configuration crosses the bus as JSON (`configure`); components read it back through the settings table.
@Suite struct SettingsJSONTests {
    @Test func theConfigurationSurvivesTheBus() throws {
        var config = InstanceConfig()
        config.sip.listen = HostPort(host: "127.0.0.1", port: 5070)
        config.sip.codecs = ["PCMA", "PCMU"]
        config.sip.t1Ms = 250
        config.rtp.ports = PortRange(low: 30000, high: 30999)
        config.rtp.workers = 3
        config.audio.inputGainDB = -3.5
        config.audio.captureDevice = "plughw:1"
        config.calls.autoAnswer = true
        config.calls.codecFallback = ["PCMU", "PCMA"]
        config.supervision.external = ["sig"]
        config.log.level = "debug"
        var problems: [String] = []
        let back = InstanceConfig(settings: config.json, problems: &problems)
        #expect(problems.isEmpty)
        #expect(back == config)
    }

    @Test func aValueTheTableRefusesIsNamedAndLeftAtItsDefault() {
        var problems: [String] = []
        let config = InstanceConfig(settings: ["sip": ["t1_ms": 5, "max_calls": "many"], "rtp": ["workers": 1]], problems: &problems)
        #expect(config.sip.t1Ms == InstanceConfig().sip.t1Ms)
        #expect(config.rtp.workers == 1)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.hasPrefix("sip.t1_ms: 5 is not an integer from 10 to 10000") })
    }
}
