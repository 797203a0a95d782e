import AudioIO
import Foundation
import Synchronization
import Testing
import Timebase
import Wire

extension ProcessGroupTests {
    /// sip-audio as a real process: the file, null and ALSA backends (ALSA through its own `file` and `null`
    /// plugins, configured by a test ALSA configuration), frames in and out on the bus, devices open only while a
    /// call is attached, bad input reported with its cause and fix while the call goes on.
    @Suite(.serialized) struct AudioDeviceTests {
        static let playbackStream = 9000, captureStream = 9001

        static func writeTone(_ path: String, frequency: Double, amplitude: Double, seconds: Double, rate: Int, channels: Int) throws {
            let frames = Int(seconds * Double(rate))
            var samples: [Int16] = []
            samples.reserveCapacity(frames * channels)
            for i in 0..<frames {
                let v = Int16(amplitude * 32767 * sin(2 * .pi * frequency * Double(i) / Double(rate)))
                for _ in 0..<channels { samples.append(v) }
            }
            try Data(WAVFile(sampleRate: rate, channels: channels, samples: samples).serialized()).write(to: URL(fileURLWithPath: path))
        }

        /// Raw s16le mono, what ALSA's file plugin reads as `infile`.
        static func writeRawTone(_ path: String, frequency: Double, amplitude: Double, seconds: Double, rate: Int) throws {
            let samples = (0..<Int(seconds * Double(rate))).map { Int16(amplitude * 32767 * sin(2 * .pi * frequency * Double($0) / Double(rate))) }
            try samples.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: path))
        }

        static func attach(_ a: TestInstance, call: String = "t1") async throws -> JSONValue {
            try await a.handle.request("audio_attach", args: ["call": .string(call),
                                                              "streams": ["playback": .init(playbackStream), "capture": .init(captureStream)]])
        }

        /// Power at `frequency` summed over Hann-windowed 20 ms frames at 8 kHz.
        static func framePower(_ x: [Int16], frequency: Double) -> Double {
            stride(from: 0, to: x.count - 159, by: 160).reduce(0.0) { total, start in
                var re = 0.0, im = 0.0
                for i in 0..<160 {
                    let w = 0.5 - 0.5 * cos(2 * .pi * Double(i) / 159)
                    let v = Double(x[start + i]) * w, phase = 2 * .pi * frequency * Double(i) / 8000
                    re += v * cos(phase)
                    im -= v * sin(phase)
                }
                return total + re * re + im * im
            }
        }

        static let plain = ["--set", "audio.echo_cancellation=false", "--set", "audio.noise_suppression=false"]

        @Test func fileBackendSendsTheMicrophoneFileAtRealTimePaceAndRecordsWhatTheCallPlays() async throws {
            try await withInstance { a in
                let input = a.root + "/in.wav", output = a.root + "/out.wav"
                try Self.writeTone(input, frequency: 1000, amplitude: 0.25, seconds: 6, rate: 48000, channels: 2)
                _ = try await a.up(["--audio", "file:\(input),\(output)"] + Self.plain)
                let events = try await EventRecorder(a)
                defer { events.stop() }
                let idle = try await a.handle.request("audio_state")
                #expect(idle["open"]?.boolValue == false, "no device is open before a call needs it")
                let tap = try FrameTap(address: a.endpoints.audioCapture, stream: Self.captureStream)
                let source = try ToneInjector(address: a.endpoints.audioPlayback, stream: Self.playbackStream, frequency: 440, amplitude: 8000)
                defer { tap.stop(); source.stop() }
                _ = try await Self.attach(a)
                let opened = await events.wait { $0.type == "audio.device.opened" && $0.data["direction"]?.stringValue == "capture" }
                #expect(opened?.data["rate"]?.intValue == 48000 && opened?.data["channels"]?.intValue == 2)
                #expect(await eventually(timeout: .seconds(8)) { tap.voicedSamples.count >= 8000 * 2 })
                // Real-time pace: the frames of two seconds took about two seconds to arrive (ALSA-less, self-paced).
                let arrivals = tap.arrivals
                let span = arrivals[99] - arrivals[0]
                #expect(span > .milliseconds(1800) && span < .milliseconds(2400), "100 frames in \(span)")
                let heard = Array(tap.voicedSamples.suffix(8000))
                #expect(Tone.dominant(heard, among: [440, 1000, 2000]) == 1000)
                // 0.25 FS sine: RMS 5793; resampling 48 kHz stereo -> 8 kHz mono keeps it within 1 dB.
                #expect(abs(Tone.decibels(Tone.rms(heard) / 5793)) < 1, "level \(Tone.rms(heard))")
                // What the call played (the injected 440 Hz) is being recorded.
                #expect(await eventually { ((try? await a.handle.request("audio_state"))?["frames_played"]?.intValue ?? 0) >= 75 })
                _ = try await a.handle.request("audio_detach", args: ["call": "t1"])
                #expect(await events.wait { $0.type == "audio.device.closed" && $0.data["direction"]?.stringValue == "playback" } != nil)
                let state = try await a.handle.request("audio_state")
                #expect(state["open"]?.boolValue == false && state["calls"]?.arrayValue?.isEmpty == true)
                let recorded = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: output))))
                #expect(recorded.sampleRate == 8000 && recorded.channels == 1)
                let voiced = Tone.withoutSilentFrames(recorded.samples)
                try #require(voiced.count >= 8000)
                let tail = Array(voiced.suffix(8000))
                #expect(Tone.dominant(tail, among: [440, 1000, 2000]) == 440)
                #expect(abs(Tone.decibels(Tone.rms(tail) / 5657)) < 0.5, "recorded level \(Tone.rms(tail))")
                // Latency figures are measured and reported.
                #expect(state["playback_latency_ms"]?["p50"]?.doubleValue != nil && state["capture_latency_ms"]?["p50"]?.doubleValue != nil)
            }
        }

        @Test func twoCallsAreMixedIntoThePlaybackWithoutClipping() async throws {
            try await withInstance { a in
                let input = a.root + "/in.wav", output = a.root + "/out.wav"
                try Self.writeTone(input, frequency: 1000, amplitude: 0.1, seconds: 6, rate: 8000, channels: 1)
                _ = try await a.up(["--audio", "file:\(input),\(output)"] + Self.plain)
                // Two near-full-scale calls at once (call waiting, conference): their sum is far over full scale.
                let one = try ToneInjector(address: a.endpoints.audioPlayback, stream: 9100, frequency: 440, amplitude: 26000)
                let two = try ToneInjector(address: a.endpoints.audioPlayback, stream: 9200, frequency: 1000, amplitude: 26000)
                defer { one.stop(); two.stop() }
                _ = try await a.handle.request("audio_attach", args: ["call": "c1", "streams": ["playback": 9100, "capture": 9101]])
                _ = try await a.handle.request("audio_attach", args: ["call": "c2", "streams": ["playback": 9200, "capture": 9201]])
                #expect(await eventually(timeout: .seconds(8)) { ((try? await a.handle.request("audio_state"))?["frames_played"]?.intValue ?? 0) >= 250 })
                _ = try await a.handle.request("audio_detach", args: ["call": "c1"])
                _ = try await a.handle.request("audio_detach", args: ["call": "c2"])
                #expect(await eventually { (try? await a.handle.request("audio_state"))?["open"]?.boolValue == false })
                let recorded = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))).samples
                // Judge the middle of the recording, where both calls were attached (each was alone for a moment
                // at the start and the end).
                let voiced = recorded.filter { $0 != 0 }
                try #require(voiced.count >= 16000, "\(voiced.count) voiced samples")
                let loud = Array(voiced[(voiced.count / 2 - 4000)..<(voiced.count / 2 + 4000)])
                #expect(loud.map { abs(Int($0)) }.max()! <= 29_491, "the limiter keeps the mix under its ceiling")
                // Both calls are heard, neither wrapped into noise: each tone is far above a frequency neither sent.
                // Measured per 20 ms frame (Hann window), so the one frame a standing backlog may trim (a phase jump)
                // does not smear the spectrum.
                let noise = Self.framePower(loud, frequency: 700)
                #expect(Self.framePower(loud, frequency: 440) > 100 * noise && Self.framePower(loud, frequency: 1000) > 100 * noise)
            }
        }

        @Test func alsaPluginsCarryBothDirectionsThroughTheRealALSACodePath() async throws {
            try await withInstance { a in
                let mic = a.root + "/mic.raw", spk = a.root + "/spk.raw", conf = a.root + "/asound.conf"
                try Self.writeRawTone(mic, frequency: 1000, amplitude: 0.25, seconds: 20, rate: 16000)
                try """
                pcm.sipc_spk { type file; slave.pcm "null"; file "\(spk)"; format "raw" }
                pcm.sipc_mic { type file; slave.pcm "null"; file "/dev/null"; infile "\(mic)"; format "raw" }
                pcm.sipc_duplex { type asym; playback.pcm "sipc_spk"; capture.pcm "sipc_mic" }
                """.write(toFile: conf, atomically: true, encoding: .utf8)
                a.environment["ALSA_CONFIG_PATH"] = "/usr/share/alsa/alsa.conf:\(conf)"
                _ = try await a.up(["--audio", "alsa:sipc_duplex", "--set", "audio.device_rate=16000"] + Self.plain)
                let devices = try await a.handle.request("devices")
                #expect(devices["devices"]?.arrayValue?.contains { $0["name"]?.stringValue == "null" } == true, "ALSA's device list is served")
                let events = try await EventRecorder(a)
                let tap = try FrameTap(address: a.endpoints.audioCapture, stream: Self.captureStream)
                let source = try ToneInjector(address: a.endpoints.audioPlayback, stream: Self.playbackStream, frequency: 440, amplitude: 8000)
                defer { tap.stop(); source.stop(); events.stop() }
                _ = try await Self.attach(a)
                let opened = await events.wait { $0.type == "audio.device.opened" && $0.data["direction"]?.stringValue == "playback" }
                #expect(opened?.data["device"]?.stringValue == "sipc_duplex" && opened?.data["rate"]?.intValue == 16000)
                #expect(await eventually(timeout: .seconds(8)) { tap.voicedSamples.count >= 8000 * 2 })
                let heard = Array(tap.voicedSamples.suffix(8000))
                #expect(Tone.dominant(heard, among: [440, 1000, 2000]) == 1000)
                #expect(abs(Tone.decibels(Tone.rms(heard) / 5793)) < 1, "level \(Tone.rms(heard))")
                let arrivals = tap.arrivals
                let span = arrivals[99] - arrivals[0]
                #expect(span > .milliseconds(1800), "sip-audio paces the unpaced plugin: 100 frames in \(span)")
                #expect(await eventually { ((try? await a.handle.request("audio_state"))?["frames_played"]?.intValue ?? 0) >= 75 })
                _ = try await a.handle.request("audio_detach", args: ["call": "t1"])
                #expect(await events.wait { $0.type == "audio.device.closed" && $0.data["direction"]?.stringValue == "playback" } != nil)
                // The plugin wrote what we played at the device rate: 440 Hz at 16 kHz.
                let bytes = try Data(contentsOf: URL(fileURLWithPath: spk))
                let played = bytes.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
                let voiced = played.filter { $0 != 0 }
                try #require(voiced.count >= 16000, "\(played.count) samples written, \(voiced.count) not zero")
                let tail = Array(played.suffix(16000 + 3200).prefix(16000))
                #expect(Tone.power(tail, frequency: 440, rate: 16000) > 100 * Tone.power(tail, frequency: 1000, rate: 16000))
            }
        }

        @Test func badInputIsReportedWithItsCauseAndTheCallGoesOn() async throws {
            try await withInstance { a in
                let notWAV = a.root + "/notes.txt"
                try "this is not audio".write(toFile: notWAV, atomically: true, encoding: .utf8)
                _ = try await a.up(["--audio", "file:\(notWAV)"] + Self.plain)
                let events = try await EventRecorder(a)
                let tap = try FrameTap(address: a.endpoints.audioCapture, stream: Self.captureStream)
                defer { tap.stop(); events.stop() }
                _ = try await Self.attach(a)
                let bad = await events.wait { $0.type == "audio.error" && $0.data["cause"]?.stringValue == "bad_file" }
                #expect(bad?.data["message"]?.stringValue?.contains("not a WAV file") == true)
                #expect(bad?.data["message"]?.stringValue?.contains("sox") == true, "the message says how to fix it")
                #expect(bad?.data["fallback"]?.stringValue == "null")
                // The call goes on: microphone frames (silence from the stand-in) keep coming at their pace.
                #expect(await eventually { tap.arrivals.count >= 25 })
                // Frames of the wrong rate on the bus are dropped and named; good frames keep being played.
                let wrong = try ToneInjector(address: a.endpoints.audioPlayback, stream: Self.playbackStream, frequency: 440, amplitude: 8000, sampleRate: 16000)
                let format = await events.wait { $0.type == "audio.error" && $0.data["cause"]?.stringValue == "frame_format" }
                wrong.stop()
                #expect(format?.data["message"]?.stringValue?.contains("16000 Hz") == true)
                #expect(format?.data["call"]?.stringValue == "t1")
                let before = try await a.handle.request("audio_state")["frames_played"]?.intValue ?? 0
                let good = try ToneInjector(address: a.endpoints.audioPlayback, stream: Self.playbackStream, frequency: 440, amplitude: 8000)
                defer { good.stop() }
                #expect(await eventually { ((try? await a.handle.request("audio_state"))?["frames_played"]?.intValue ?? 0) >= before + 25 })
                let state = try await a.handle.request("audio_state")
                #expect((state["frames_bad_format"]?.intValue ?? 0) >= 1)
                #expect(state["capture"]?["state"]?.stringValue == "failed")
                // Bad arguments to the audio commands are refused with the field named.
                await #expect(throws: (any Error).self) { _ = try await a.handle.request("audio", args: ["input_gain_db": 99]) }
            }
        }

        @Test func aMissingALSADeviceFallsBackToNullAndAnUnusableRateIsRefusedAtStart() async throws {
            try await withInstance { a in
                let refused = try a.sipc(["up", "--audio", "alsa:sipc_nothing", "--set", "audio.device_rate=96000"])
                #expect(refused.status != 0)
                #expect(refused.stderr.contains("audio.device_rate") && refused.stderr.contains("8000 to 48000"), "\(refused.stderr)")
                _ = try await a.up(["--audio", "alsa:sipc_nothing"])
                let events = try await EventRecorder(a)
                let tap = try FrameTap(address: a.endpoints.audioCapture, stream: Self.captureStream)
                defer { tap.stop(); events.stop() }
                _ = try await Self.attach(a)
                let missing = await events.wait { $0.type == "audio.error" && $0.data["cause"]?.stringValue == "device_not_found" }
                #expect(missing?.data["device"]?.stringValue == "sipc_nothing")
                #expect(missing?.data["message"]?.stringValue?.contains("--list-devices") == true)
                #expect(missing?.data["retrying"]?.boolValue == true)
                #expect(await eventually { tap.arrivals.count >= 25 }, "the call keeps its microphone clock on the null stand-in")
                let state = try await a.handle.request("audio_state")
                #expect(state["capture"]?["state"]?.stringValue == "lost" && state["playback"]?["state"]?.stringValue == "lost")
            }
        }

        @Test func muteAndLevelsAreControlledAndReportedAtTenHertz() async throws {
            try await withInstance { a in
                let input = a.root + "/in.wav"
                try Self.writeTone(input, frequency: 1000, amplitude: 0.5, seconds: 10, rate: 8000, channels: 1)
                _ = try await a.up(["--audio", "file:\(input)"] + Self.plain)
                let events = try await EventRecorder(a)
                let tap = try FrameTap(address: a.endpoints.audioCapture, stream: Self.captureStream)
                defer { tap.stop(); events.stop() }
                _ = try await Self.attach(a)
                #expect(await eventually { events.all.filter { $0.type == "audio.level" }.count >= 10 })
                let levels = events.all.filter { $0.type == "audio.level" }
                let first = try #require(levels.first), tenth = levels[9]
                let rate = 9 / (tenth.time - first.time)
                #expect(rate > 7 && rate < 13, "\(rate) level events per second")
                // 0.5 FS sine: peak -6 dBFS, RMS -9 dBFS.
                let last = try #require(levels.last)
                #expect(abs((last.data["capture"]?["peak_dbfs"]?.doubleValue ?? 0) + 6) < 1)
                #expect(abs((last.data["capture"]?["rms_dbfs"]?.doubleValue ?? 0) + 9) < 1)
                let muted = try await a.handle.request("mute")
                #expect(muted["mute"]?.boolValue == true)
                #expect(await events.wait { $0.type == "audio.level" && $0.data["muted"]?.boolValue == true && $0.data["capture"]?["peak_dbfs"]?.doubleValue == -96 } != nil)
                let silentFrom = tap.arrivals.count
                #expect(await eventually { tap.arrivals.count >= silentFrom + 10 })
                let voicedWhileMuted = tap.voicedSamples.count
                #expect(await eventually { tap.arrivals.count >= silentFrom + 20 })
                #expect(tap.voicedSamples.count == voicedWhileMuted, "muted frames are flagged silent")
                _ = try await a.handle.request("unmute")
                #expect(await eventually { tap.voicedSamples.count > voicedWhileMuted + 1600 })
                let gain = try await a.handle.request("audio", args: ["input_gain_db": -6])
                #expect(gain["input_gain_db"]?.doubleValue == -6 && gain["mute"]?.boolValue == false)
            }
        }
    
        @Test func aCallBetweenTwoInstancesCarriesEachSidesMicrophoneFileIntoTheOthersRecording() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    let aIn = a.root + "/a-in.wav", aOut = a.root + "/a-out.wav", bIn = a.root + "/b-in.wav", bOut = a.root + "/b-out.wav"
                    try Self.writeTone(aIn, frequency: 440, amplitude: 0.25, seconds: 8, rate: 8000, channels: 1)
                    try Self.writeTone(bIn, frequency: 1000, amplitude: 0.25, seconds: 8, rate: 16000, channels: 1)
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true) + ["--audio", "file:\(aIn),\(aOut)"] + Self.plain)
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false) + ["--audio", "file:\(bIn),\(bOut)"] + Self.plain)
                    let aEvents = try await EventRecorder(a)
                    defer { aEvents.stop() }
                    _ = try await MediaFlowTests.connect(b, to: a, port: port)
                    // orch attached the call to sip-audio on both sides when its media started.
                    #expect(await aEvents.wait { $0.type == "audio.stream.started" } != nil)
                    #expect(await eventually(timeout: .seconds(8)) {
                        let fa = (try? await a.handle.request("audio_state"))?["frames_played"]?.intValue ?? 0
                        let fb = (try? await b.handle.request("audio_state"))?["frames_played"]?.intValue ?? 0
                        return fa >= 100 && fb >= 100
                    })
                    _ = try await b.handle.request("hangup", args: ["all": true])
                    // Nothing outlives the call: streams detached, devices closed on both sides.
                    #expect(await eventually {
                        let sa = try? await a.handle.request("audio_state"), sb = try? await b.handle.request("audio_state")
                        return sa?["open"]?.boolValue == false && sb?["open"]?.boolValue == false
                            && sa?["calls"]?.arrayValue?.isEmpty == true && sb?["calls"]?.arrayValue?.isEmpty == true
                    })
                    // orch reports the call's quality when its media ends.
                    let quality = await aEvents.wait { $0.type == "call.quality" }
                    #expect((quality?.data["mos"]?.doubleValue ?? 0) > 4 && quality?.data["loss_pct"]?.doubleValue == 0)
                    #expect((quality?.data["packets_received"]?.intValue ?? 0) >= 100 && quality?.data["duration_s"] != nil)
                    for (path, expected) in [(aOut, 1000.0), (bOut, 440.0)] {
                        let wav = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
                        let voiced = Tone.withoutSilentFrames(wav.samples)
                        try #require(voiced.count >= 8000, "\(path): \(voiced.count) voiced samples")
                        let tail = Array(voiced.suffix(8000))
                        #expect(Tone.dominant(tail, among: [440, 1000, 2000]) == expected, "\(path)")
                        // Resampling, G.711 both ways and the jitter buffer keep the level within 1 dB of 0.25 FS.
                        #expect(abs(Tone.decibels(Tone.rms(tail) / 5793)) < 1, "\(path): level \(Tone.rms(tail))")
                    }
                }
            }
        }
    
        /// An ALSA device that goes away mid-call and comes back, through real ALSA code: the loudspeaker is ALSA's
        /// `file` plugin writing into a FIFO this test reads. Closing the reader makes the plugin's writes fail
        /// (EPIPE, reported by ALSA as -EIO) while the device's definition is removed from the ALSA configuration,
        /// so reopening fails; restoring both brings it back.
        @Test func aLostDeviceFallsBackToNullKeepsTheCallGoingAndIsRestoredWhenItReturns() async throws {
            try await withInstance { a in
                let mic = a.root + "/mic.raw", fifo = a.root + "/spk.fifo", conf = a.root + "/asound.conf"
                try Self.writeRawTone(mic, frequency: 1000, amplitude: 0.25, seconds: 30, rate: 8000)
                try #require(mkfifo(fifo, 0o600) == 0)
                let config = ALSAConfigFile(path: conf)
                let micDefinition = "pcm.sipc_mic { type file; slave.pcm \"null\"; file \"/dev/null\"; infile \"\(mic)\"; format \"raw\" }\n"
                let full = micDefinition + """
                pcm.sipc_spk { type file; slave.pcm "null"; file "\(fifo)"; format "raw" }
                pcm.sipc_duplex { type asym; playback.pcm "sipc_spk"; capture.pcm "sipc_mic" }
                """
                try config.write(full)
                var reader = try FIFOReader(path: fifo)
                a.environment["ALSA_CONFIG_PATH"] = "/usr/share/alsa/alsa.conf:\(conf)"
                _ = try await a.up(["--audio", "alsa:sipc_duplex", "--set", "audio.device_rate=8000"] + Self.plain)
                let events = try await EventRecorder(a)
                let tap = try FrameTap(address: a.endpoints.audioCapture, stream: Self.captureStream)
                let source = try ToneInjector(address: a.endpoints.audioPlayback, stream: Self.playbackStream, frequency: 440, amplitude: 8000)
                defer { tap.stop(); source.stop(); events.stop(); reader.close() }
                _ = try await Self.attach(a)
                #expect(await eventually(timeout: .seconds(5)) { reader.samples.filter { $0 != 0 }.count >= 4000 }, "the loudspeaker plays")

                // The device goes away: its definition is gone and its writes fail.
                try config.write(micDefinition)
                reader.close()
                let lost = await events.wait(timeout: .seconds(5)) { $0.type == "audio.device.lost" }
                #expect(lost?.data["direction"]?.stringValue == "playback" && lost?.data["cause"]?.stringValue == "device_lost")
                #expect(lost?.data["fallback"]?.stringValue == "null" && lost?.data["retrying"]?.boolValue == true)
                #expect(lost?.data["message"]?.stringValue?.contains("stopped working") == true)
                // The call goes on: the microphone keeps its 20 ms clock, the device is reopened and stays missing.
                let during = tap.arrivals.count
                #expect(await eventually(timeout: .seconds(4)) { tap.arrivals.count >= during + 75 })
                let state = try await a.handle.request("audio_state")
                #expect(state["playback"]?["state"]?.stringValue == "lost" && state["capture"]?["state"]?.stringValue == "open")
                #expect(events.all.contains { $0.type == "audio.device.restored" } == false)

                // It comes back.
                reader = try FIFOReader(path: fifo)
                try config.write(full)
                let restored = await events.wait(timeout: .seconds(5)) { $0.type == "audio.device.restored" }
                #expect(restored?.data["direction"]?.stringValue == "playback" && (restored?.data["lost_ms"]?.intValue ?? 0) >= 1000)
                #expect(await eventually(timeout: .seconds(5)) { reader.samples.filter { $0 != 0 }.count >= 4000 })
                let heard = Array(reader.samples.filter { $0 != 0 }.suffix(4000))
                #expect(Tone.dominant(heard, among: [440, 1000, 2000]) == 440)
            }
        }

        /// The softphone commands end to end: an auto-answering agent playing a file (`sipc up --play`), a caller
        /// sending a file and recording what it hears (`sipc call --play --record --json`), `sipc stats` meanwhile.
        @Test func sipcCallPlaysAFileRecordsTheFarEndAndReportsTheCall() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    let agentTone = a.root + "/agent.wav", callerTone = a.root + "/caller.wav", heard = a.root + "/heard.wav"
                    try Self.writeTone(agentTone, frequency: 1000, amplitude: 0.25, seconds: 8, rate: 8000, channels: 1)
                    try Self.writeTone(callerTone, frequency: 440, amplitude: 0.25, seconds: 8, rate: 44100, channels: 2)
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true) + ["--play", agentTone])
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: b.binDir + "/sipc")
                    process.arguments = ["call", "sip:agent@127.0.0.1:\(port)", "--duration", "2", "--play", callerTone, "--record", heard,
                                         "--json", "--instance", b.name]
                    process.environment = b.environment
                    let out = Pipe()
                    process.standardOutput = out
                    try process.run()
                    // While it runs: the agent's side shows the call connected, and sipc stats reports its quality.
                    var stats: JSONValue?
                    #expect(await eventually(timeout: .seconds(8)) {
                        guard let run = try? b.sipc(["stats", "--json"]), run.status == 0,
                              let data = run.stdout.data(using: .utf8), let json = try? JSONDecoder().decode(JSONValue.self, from: data),
                              let row = json["calls"]?.arrayValue?.first, row["state"]?.stringValue == "connected", row["mos"] != nil else { return false }
                        stats = row
                        return true
                    })
                    #expect(stats?["codec"]?.stringValue == "PCMU")
                    let aCall = try #require(try await a.handle.request("calls")["calls"]?.arrayValue?.first)
                    let agentHears = try FrameTap(a, stream: try #require(aCall["streams"]?["playback"]?.intValue))
                    defer { agentHears.stop() }
                    let output = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    #expect(process.terminationStatus == 0)
                    let report = try JSONDecoder().decode(JSONValue.self, from: output)
                    #expect(report["result"]?.stringValue == "completed" && report["sip_status"]?.intValue == 200)
                    #expect(report["codec"]?.stringValue == "PCMU" && (report["duration_s"]?.doubleValue ?? 0) >= 1.9)
                    for key in ["call_id", "setup_ms", "tx_packets", "rx_packets", "loss_pct", "jitter_ms", "mos"] {
                        #expect(report[key] != nil && report[key] != .null, "report has \(key)")
                    }
                    #expect((report["tx_packets"]?.intValue ?? 0) >= 90 && (report["rx_packets"]?.intValue ?? 0) >= 90)
                    #expect((report["mos"]?.doubleValue ?? 0) > 4)
                    // The caller recorded the agent's file (1 kHz) ...
                    let recorded = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: heard))))
                    let voiced = Tone.withoutSilentFrames(recorded.samples)
                    try #require(voiced.count >= 8000)
                    #expect(Tone.dominant(Array(voiced.suffix(8000)), among: [440, 1000]) == 1000)
                    // ... and the agent heard the caller's file (440 Hz, resampled from 44.1 kHz stereo) while it lasted.
                    let agentHeard = Tone.withoutSilentFrames(agentHears.voicedSamples)
                    try #require(agentHeard.count >= 1600, "the agent heard \(agentHeard.count) samples")
                    #expect(Tone.dominant(Array(agentHeard.suffix(1600)), among: [440, 1000]) == 440)
                }
            }
        }
    }
}

/// A test ALSA configuration file replaced atomically with a new modification time each write: alsa-lib re-reads
/// its configuration on open only when a file's mtime (in whole seconds) or inode changed.
struct ALSAConfigFile {
    let path: String
    private static let generation = Atomic<Int>(0)

    func write(_ text: String) throws {
        let n = Self.generation.add(1, ordering: .relaxed).newValue
        let temporary = path + ".new"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000 + Double(n) * 10)], ofItemAtPath: temporary)
        try #require(rename(temporary, path) == 0)
    }
}

/// Drains a FIFO (non-blocking) on a thread of its own, keeping what arrived as s16le samples.
final class FIFOReader: @unchecked Sendable {
    private let fd: Int32
    private let store = Mutex<[Int16]>([])
    private let running = Atomic<Bool>(true)
    private let done = DispatchSemaphore(value: 0)

    init(path: String) throws {
        fd = open(path, O_RDONLY | O_NONBLOCK)
        try #require(fd >= 0, "cannot open \(path)")
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 16384)
            var pending: [UInt8] = []
            while running.load(ordering: .relaxed) {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    pending += buffer[0..<n]
                    let whole = pending.count / 2 * 2
                    let samples = pending[0..<whole].withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
                    pending.removeFirst(whole)
                    store.withLock { $0 += samples }
                } else {
                    usleep(5000)  // nothing to read yet: this is a drain loop, not a wait for state
                }
            }
            done.signal()
        }
        thread.start()
    }

    var samples: [Int16] { store.withLock { $0 } }

    /// Stops draining and closes the read end (a writer then gets EPIPE). Idempotent.
    func close() {
        guard running.exchange(false, ordering: .relaxed) else { return }
        done.wait()
        Foundation.close(fd)
    }
}
