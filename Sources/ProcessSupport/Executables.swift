import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds the project's executables: `$SIPC_BIN_DIR`, then beside the running program, then `$PATH`.
/// Lets a group run from a build folder, an install prefix or a container without configuration.
public enum Executables {
    public static func locate(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let dir = environment["SIPC_BIN_DIR"], !dir.isEmpty { candidates.append(dir + "/" + name) }
        if let own = selfDirectory() { candidates.append(own + "/" + name) }
        for dir in (environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/\(name)") }
        return candidates.first { access($0, X_OK) == 0 }
    }

    /// The directory of the running executable (from /proc/self/exe).
    public static func selfDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (path as NSString).deletingLastPathComponent
    }
}
