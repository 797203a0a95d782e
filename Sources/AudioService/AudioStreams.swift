import MediaQuality
import Synchronization
import Timebase
import Wire

/// The calls attached to the devices and the frames waiting to be played for each, shared between the bus
/// (frames arrive whenever a media worker sends them) and the audio thread (one frame per call per tick).
///
/// Each playback stream has a small queue: frames arriving faster than we play are trimmed to bound latency,
/// late or repeated ones (sequence not newer than the last queued) are dropped rather than played.
final class AudioStreams: Sendable {
    struct Attachment: Sendable, Equatable {
        var call: String
        var playback: UInt32
        var capture: UInt32?
        var captureSequence: UInt32 = 0
        var captureTimestamp: UInt64 = 0
    }

    struct Counters: Sendable, Equatable {
        var framesIn = 0, framesPlayed = 0, unattached = 0, badFormat = 0, malformed = 0, late = 0, trimmed = 0, starved = 0
    }

    enum Arrival: Sendable, Equatable {
        case queued, unattached, late
        case badFormat(stream: UInt32, call: String, detail: String)
        case malformed(String)
    }

    /// Frames kept per stream at most (80 ms): more means the sender runs ahead; the oldest go.
    static let queueDepth = 4
    static let frameSamples = 160

    private struct FrameQueue {
        var samples = [Int16](repeating: 0, count: AudioStreams.queueDepth * AudioStreams.frameSamples)
        var arrival = [MonotonicTime](repeating: .zero, count: AudioStreams.queueDepth)
        /// Each frame's origin stamp (the RTP packet's arrival at the worker), 0 when the frame carries none.
        var origin = [UInt64](repeating: 0, count: AudioStreams.queueDepth)
        var head = 0, count = 0
        var lastSequence: UInt32?
        /// After running dry, wait for two frames before playing again, so arrival jitter does not make every
        /// other tick silent.
        var starving = false
        /// The smallest backlog left after playing, over the current window of ticks: a standing backlog is
        /// latency that buys nothing, so one frame of it is dropped per window.
        var minBacklog = Int.max
        var windowTicks = 0
    }

    /// Ticks (one second) over which a standing playback backlog is measured before a frame of it is dropped.
    static let backlogWindow = 50

    private struct State {
        var calls: [String: Attachment] = [:]
        var queues: [UInt32: FrameQueue] = [:]
        var counters = Counters()
        var latencies = LatencyWindow()
        /// RTP packet arrival at the worker to the frame's write to the device (issue 9 (e), downlink), from the
        /// origin stamps of the frames played this tick (`playedOrigins`, until `deliveredToDevice`).
        var rtpToDevice = LatencyWindow()
        var playedOrigins: [UInt64] = []
        /// Calls in the local conference, and the frame each played this tick (what the others hear of it).
        var conference: Set<String> = []
        var conferenceFrames: [String: [Int16]] = [:]
    }

    private let state = Mutex(State())

    /// Attaches (or re-attaches with new ids) a call; returns false when it was attached with these ids already.
    @discardableResult
    func attach(call: String, playback: UInt32, capture: UInt32?) -> Bool {
        state.withLock { s in
            if let old = s.calls[call] {
                if old.playback == playback, old.capture == capture { return false }
                s.queues[old.playback] = nil
            }
            s.calls[call] = Attachment(call: call, playback: playback, capture: capture)
            s.queues[playback] = FrameQueue()
            return true
        }
    }

    /// The calls mixed into one conference (every member hears the microphone and the other members); fewer than two
    /// attached members means no mixing.
    func setConference(_ calls: Set<String>) {
        state.withLock { s in
            s.conference = calls
            s.conferenceFrames = [:]
        }
    }

    var conference: Set<String> { state.withLock { $0.conference } }

    func detach(call: String) -> Attachment? {
        state.withLock { s in
            if s.conference.remove(call) != nil, s.conference.count < 2 { s.conference = [] }  // one left: an ordinary call
            s.conferenceFrames[call] = nil
            guard let old = s.calls.removeValue(forKey: call) else { return nil }
            s.queues[old.playback] = nil
            return old
        }
    }

    func detachAll() -> [Attachment] {
        state.withLock { s in
            defer { s.calls = [:]; s.queues = [:] }
            return Array(s.calls.values)
        }
    }

    var isEmpty: Bool { state.withLock { $0.calls.isEmpty } }
    var attachments: [Attachment] { state.withLock { Array($0.calls.values) } }
    var counters: Counters { state.withLock { $0.counters } }
    var playbackLatency: LatencyWindow.Summary? { state.withLock { $0.latencies.summary() } }
    var rtpToDeviceLatency: LatencyWindow.Summary? { state.withLock { $0.rtpToDevice.summary() } }

    /// The frames handed by the last `forEachPlaybackFrame` were written to the device at `now`: their origin stamps
    /// give the downlink's end-to-end latency.
    func deliveredToDevice(now time: MonotonicTime) {
        let now = time.unsignedNanoseconds  // origin stamps are the wire's unsigned nanoseconds
        state.withLock { s in
            for origin in s.playedOrigins where origin != 0 && origin <= now && now - origin < 10_000_000_000 {
                s.rtpToDevice.add(nanoseconds: now - origin)
            }
            s.playedOrigins.removeAll(keepingCapacity: true)
        }
    }

    /// Drops all but the newest frame of every queue: what piled up while the devices were opening would
    /// otherwise stand as latency for the whole call.
    func keepNewest() {
        state.withLock { s in
            for (stream, var queue) in s.queues where queue.count > 1 {
                queue.head = (queue.head + queue.count - 1) % Self.queueDepth
                queue.count = 1
                s.queues[stream] = queue
            }
        }
    }

    func countMalformed() { state.withLock { $0.counters.malformed += 1 } }

    /// A frame from the bus (one ZeroMQ message), at monotonic time `now` (ns).
    func receive(_ bytes: UnsafeRawBufferPointer, now: MonotonicTime) -> Arrival {
        let header: PCMFrameHeader
        do throws(PCMFrameError) { header = try PCMFrame.decodeHeader(bytes) } catch {
            state.withLock { $0.counters.malformed += 1 }
            return .malformed("\(error)")
        }
        return state.withLock { s -> Arrival in
            s.counters.framesIn += 1
            guard s.queues[header.streamID] != nil else {
                s.counters.unattached += 1
                return .unattached
            }
            guard header.sampleRate == 8000, header.channels == 1, header.sampleCount == UInt16(Self.frameSamples) else {
                s.counters.badFormat += 1
                let call = s.calls.values.first { $0.playback == header.streamID }?.call ?? "?"
                return .badFormat(stream: header.streamID, call: call,
                                  detail: "\(header.sampleRate) Hz, \(header.channels) channel(s), \(header.sampleCount) samples per frame")
            }
            // In place (no copy of the queue's buffers per frame).
            return Self.enqueue(bytes, header: header, now: now, into: &s.queues[header.streamID]!, counters: &s.counters)
        }
    }

    private static func enqueue(_ bytes: UnsafeRawBufferPointer, header: PCMFrameHeader, now: MonotonicTime,
                                into queue: inout FrameQueue, counters: inout Counters) -> Arrival {
        if let last = queue.lastSequence, Int32(bitPattern: header.sequence &- last) <= 0 {
            counters.late += 1
            return .late
        }
        queue.lastSequence = header.sequence
        if queue.count == Self.queueDepth {
            queue.head = (queue.head + 1) % Self.queueDepth
            queue.count -= 1
            counters.trimmed += 1
        }
        let slot = (queue.head + queue.count) % Self.queueDepth
        let ok = queue.samples.withUnsafeMutableBufferPointer { all in
            let target = UnsafeMutableBufferPointer(rebasing: all[slot * Self.frameSamples ..< (slot + 1) * Self.frameSamples])
            return (try? PCMFrame.readSamples(bytes, header: header, into: target)) != nil
        }
        guard ok else {
            counters.malformed += 1
            return .malformed("frame body does not match its header")
        }
        queue.arrival[slot] = now
        queue.origin[slot] = header.origin
        queue.count += 1
        return .queued
    }

    /// Hands `body` one frame per stream that has one ready (at most one per stream per tick), records how long
    /// each waited, and returns how many it handed.
    @discardableResult
    func forEachPlaybackFrame(now: MonotonicTime, _ body: (UnsafeBufferPointer<Int16>) -> Void) -> Int {
        state.withLock { s in
            var played = 0
            s.playedOrigins.removeAll(keepingCapacity: true)
            // Conference members: which stream is whose, and a fresh (silent) frame for each this tick.
            var member: [UInt32: String] = [:]
            if s.conference.count > 1 {
                for call in s.conference { if let a = s.calls[call] { member[a.playback] = call } }
                for call in s.conference { s.conferenceFrames[call] = nil }
            }
            for stream in Array(s.queues.keys) {
                guard var queue = s.queues[stream] else { continue }
                if queue.count == 0 {
                    if !queue.starving { queue.starving = true; s.counters.starved += 1; s.queues[stream] = queue }
                    continue
                }
                if queue.starving && queue.count < 2 { continue }
                queue.starving = false
                let slot = queue.head
                queue.samples.withUnsafeBufferPointer { all in
                    body(UnsafeBufferPointer(rebasing: all[slot * Self.frameSamples ..< (slot + 1) * Self.frameSamples]))
                }
                if let call = member[stream] {
                    s.conferenceFrames[call] = Array(queue.samples[slot * Self.frameSamples ..< (slot + 1) * Self.frameSamples])
                }
                s.latencies.add(nanoseconds: now.since(queue.arrival[slot]).nanosecondsClamped)
                if queue.origin[slot] != 0 { s.playedOrigins.append(queue.origin[slot]) }
                queue.head = (queue.head + 1) % Self.queueDepth
                queue.count -= 1
                queue.minBacklog = min(queue.minBacklog, queue.count)
                queue.windowTicks += 1
                if queue.windowTicks == Self.backlogWindow {
                    if queue.minBacklog > 0 {
                        queue.head = (queue.head + 1) % Self.queueDepth
                        queue.count -= 1
                        s.counters.trimmed += 1
                    }
                    queue.windowTicks = 0
                    queue.minBacklog = Int.max
                }
                s.queues[stream] = queue
                played += 1
            }
            s.counters.framesPlayed += played
            return played
        }
    }

    /// What goes out on one call's capture stream this tick: the microphone, plus for a conference member what the
    /// other members played this tick.
    struct CaptureOut {
        var call: String
        var header: PCMFrameHeader
        var others: [[Int16]]
    }

    /// The next capture header for each attached call that takes the microphone, with the conference frames it mixes in.
    /// - Parameter origin: the frames' origin stamp (monotonic ns of the device read), 0 for none.
    func nextCaptureHeaders(flags: PCMFrameFlags, origin: UInt64 = 0) -> [CaptureOut] {
        state.withLock { s in
            var headers: [CaptureOut] = []
            let mixing = s.conference.count > 1
            for (call, var a) in s.calls {
                guard let stream = a.capture else { continue }
                let others = mixing && s.conference.contains(call)
                    ? s.conference.filter { $0 != call }.sorted().compactMap { s.conferenceFrames[$0] } : []
                // A muted microphone still carries the other members' voices in a conference.
                let frameFlags = others.isEmpty ? flags : flags.subtracting(.silence)
                headers.append(CaptureOut(call: call, header: .twentyMilliseconds(streamID: stream, sequence: a.captureSequence,
                                                                                   timestamp: a.captureTimestamp, sampleRate: 8000,
                                                                                   channels: 1, flags: frameFlags, origin: origin),
                                          others: others))
                a.captureSequence &+= 1
                a.captureTimestamp &+= UInt64(Self.frameSamples)
                s.calls[call] = a
            }
            return headers
        }
    }
}
