import Foundation
import ProcessSupport
import Timebase

/// A short private directory for ipc:// socket files (paths are limited to 107 bytes), removed by `cleanup`.
struct ScratchDirectory {
    let path: String

    init() {
        var template = Array("/tmp/sbt-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    func cleanup() {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for e in entries { unlink(path + "/" + e) }
        }
        rmdir(path)
    }

    var isEmpty: Bool { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).isEmpty }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. Polling with a deadline,
/// never a fixed sleep.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = MonotonicClock.now() + timeout
    while MonotonicClock.now() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
