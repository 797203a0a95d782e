import Foundation
import Timebase
import Wire

/// The advanced API: a call's audio as frames.
extension Call {
    /// The call's audio stream: the peer's decoded frames to read, and `send` to talk instead of the
    /// microphone. Waits (up to `timeout`) until the call has a media worker: right away for an outgoing call,
    /// once answered for an incoming one. The stream closes when the call ends.
    public func audioStream(timeout: Duration = .seconds(10)) async throws(SIPClientError) -> CallAudioStream {
        let deadline = MonotonicClock.now() + timeout
        while true {
            try await ensureActive()
            let record = try await core.request(OrchAPI.Calls()).calls.first { $0.callID == callID }
            if let worker = record?.worker, let streams = record?.streams {
                let stream: CallAudioStream
                do {
                    stream = try CallAudioStream(callID: id, endpoints: core.handle.endpoints, worker: worker,
                                                 playback: streams.playback.rawValue, capture: streams.capture.rawValue)
                } catch {
                    throw .mediaUnavailable(callID: id, reason: "cannot open the media worker's sockets: \(error)")
                }
                guard adopt(stream) else { throw .callEnded(callID: id) }
                return stream
            }
            guard MonotonicClock.now() < deadline else {
                throw .mediaUnavailable(callID: id, reason: record == nil ? "the instance no longer lists the call"
                                                                           : "no media worker within \(timeout)")
            }
            do { try await Task.sleep(for: .milliseconds(50)) } catch { throw .cancelled }
        }
    }
}
