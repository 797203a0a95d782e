import Testing
@testable import Config

@Suite struct ConfigLoaderTests {
    func parse(_ yaml: String) throws(ConfigError) -> InstanceConfig {
        var c = InstanceConfig()
        try ConfigLoader.apply(yaml: yaml, source: "test.yaml", to: &c)
        return c
    }

    @Test func defaults() {
        let c = InstanceConfig()
        #expect(c.rtp.workers == 2)
        #expect(c.supervision.heartbeatIntervalMs == 1000)
        #expect(c.supervision.heartbeatLiveness == 3)
        #expect(c.audio.backend == .null)
    }

    @Test func fullFile() throws {
        let c = try parse("""
            # a comment
            sip:
              listen: "[::1]:5070"
              trace: yes
            rtp:
              ports: 30000-30100
              workers: 4
            audio:
              backend: file:in.wav,out.wav
            calls:
              auto_answer: true
            supervision:
              heartbeat_interval_ms: 200
              heartbeat_liveness: 5
            log:
              level: DEBUG
            """)
        #expect(c.sip.listen == HostPort(host: "::1", port: 5070))
        #expect(c.sip.trace)
        #expect(c.rtp.ports == PortRange(low: 30000, high: 30100))
        #expect(c.rtp.workers == 4)
        #expect(c.audio.backend == .file(input: "in.wav", output: "out.wav"))
        #expect(c.calls.autoAnswer)
        #expect(c.supervision.heartbeatIntervalMs == 200)
        #expect(c.supervision.heartbeatLiveness == 5)
        #expect(c.log.level == "debug")
    }

    @Test func emptyFileMeansDefaults() throws {
        #expect(try parse("") == InstanceConfig())
        #expect(try parse("# nothing\n") == InstanceConfig())
    }

    @Test func unknownKeyNamesItAndSuggestsTheRightOne() {
        #expect {
            _ = try parse("rtp:\n  wokers: 3\n")
        } throws: { error in
            let e = error as! ConfigError
            return e.key == "rtp.wokers" && e.source == "test.yaml:2" && e.problem == "unknown key"
                && e.fix.contains("did you mean 'rtp.workers'")
        }
    }

    @Test func badValueNamesKeyValueAndFix() {
        #expect {
            _ = try parse("rtp:\n  workers: 65\n")
        } throws: { error in
            let e = error as! ConfigError
            return e.description == "config error at test.yaml:2: rtp.workers = '65': invalid value. Fix: set rtp.workers to an integer from 0 to 64 (0: only workers that join, remote.accept_workers)"
        }
    }

    @Test(arguments: [
        ("sip:\n  listen: nowhere\n", "sip.listen"),
        ("rtp:\n  ports: 20000-10000\n", "rtp.ports"),
        ("rtp:\n  ports: 80-90\n", "rtp.ports"),
        ("audio:\n  backend: speaker\n", "audio.backend"),
        ("audio:\n  backend: 'file:'\n", "audio.backend"),
        ("calls:\n  auto_answer: maybe\n", "calls.auto_answer"),
        ("log:\n  level: loud\n", "log.level"),
        ("rtp:\n  workers: [1, 2]\n", "rtp.workers"),
        ("rtp: 3\n", "rtp"),
        ("bogus:\n  x: 1\n", "bogus.x"),
    ])
    func invalidSettingsAreRefused(_ yaml: String, _ key: String) {
        #expect {
            _ = try parse(yaml)
        } throws: { error in
            (error as? ConfigError)?.key == key
        }
    }

    @Test func syntaxErrorIsReported() {
        #expect {
            _ = try parse("sip: [unclosed\n")
        } throws: { error in
            let e = error as! ConfigError
            return e.key == "(syntax)" && e.fix.contains("docs/CONFIG.md")
        }
    }

    @Test func missingFileIsReported() {
        #expect {
            _ = try ConfigLoader.load(path: "/nonexistent/sip.yaml")
        } throws: { error in
            (error as! ConfigError).problem == "cannot read the file"
        }
    }

    @Test func flagsOverrideTheFile() throws {
        var c = try parse("rtp:\n  workers: 4\n")
        try ConfigLoader.apply(overrides: [("--rtp-workers", "3"), ("--audio", "alsa"), ("--auto-answer", "true")], to: &c)
        #expect(c.rtp.workers == 3)
        #expect(c.audio.backend == .alsa(device: "default"))
        #expect(c.calls.autoAnswer)
        #expect {
            try ConfigLoader.apply(overrides: [("--rtp-ports", "x")], to: &c)
        } throws: { error in
            (error as! ConfigError).description.contains("give --rtp-ports LOW-HIGH")
        }
    }

    @Test func valueParsers() {
        #expect(HostPort.parse("127.0.0.1:5060") == HostPort(host: "127.0.0.1", port: 5060))
        #expect(HostPort.parse("[::1]:0") == HostPort(host: "::1", port: 0))
        #expect(HostPort.parse("::1:5060") == nil)
        #expect(HostPort.parse("host:70000") == nil)
        #expect(HostPort.parse("host") == nil)
        #expect(PortRange.parse("20000-20001") == PortRange(low: 20000, high: 20001))
        #expect(PortRange.parse("20000-20000") == nil)
        #expect(AudioBackend.parse("null") == .null)
        #expect(AudioBackend.parse("alsa:hw:0,0") == .alsa(device: "hw:0,0"))
        #expect(AudioBackend.parse("file:a.wav") == .file(input: "a.wav", output: nil))
        #expect(AudioBackend.parse("file:a.wav,") == nil)
        #expect(AudioBackend.parse("file:a.wav,b.wav").map(\.description) == "file:a.wav,b.wav")
        #expect(AudioBackend.parse("auto") == .automatic && AudioBackend.automatic.description == "auto")
    }
}

extension ConfigLoaderTests {
    /// Found by fuzzing (Tests/Fuzz/regressions/config): thousands of nested `[`/`{` overflowed the YAML parser's
    /// stack. Deep nesting of any kind is refused with a message before parsing; ordinary files still load.
    @Test func deeplyNestedYAMLIsRefusedNotACrash() {
        let cases = ["sip:\n  n: " + String(repeating: "[", count: 5000),
                     "sip:\n  n: " + String(repeating: "{a: ", count: 3000),
                     String(repeating: "- ", count: 4000) + "x",
                     (0..<200).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n")]
        for yaml in cases {
            #expect {
                _ = try parse(yaml)
            } throws: { error in
                "\(error)".contains("nested too deeply") || "\(error)".contains("indented more")
            }
        }
        // Quoted brackets and comments do not count.
        #expect(throws: Never.self) {
            _ = try parse("sip:\n  listen: \"127.0.0.1:5070\"  # [[[[[[[[[[[[[[[[[[[[[[\nlog:\n  level: '{{{{{{{{{{{{{{{{{{{{{{{{' \n".replacingOccurrences(of: "'{{{{{{{{{{{{{{{{{{{{{{{{' ", with: "info"))
        }
        #expect(YAMLNestingGuard.problem(in: "a: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\nb: '{{{{{{{{{{{{{{{{{{{{{{{{{{{'\n# [[[[[[[[[[[[[[[[[[[[[[[[[[\n") == nil)
    }
}
