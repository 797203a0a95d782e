import CZeroMQ
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a socket authenticates and encrypts its connections (libzmq's CurveZMQ: RFC 26 handshake, Curve25519 keys,
/// every message encrypted and authenticated). Keys are 40-character Z85 text.
public enum SocketSecurity: Sendable, Equatable {
    /// No security: the default for `ipc://` sockets, whose file permissions (a 0700 run directory) are the boundary.
    case none
    /// CURVE server: proves itself with `secretKey`; which clients get in is decided by the `ZAPAuthenticator` of
    /// the socket's context for `domain`.
    case curveServer(secretKey: String, domain: String)
    /// CURVE client: knows the server's public key in advance (no trust on first use) and proves its own key pair.
    case curveClient(serverKey: String, publicKey: String, secretKey: String)
}

/// A Curve25519 key pair in Z85 text.
public struct CurveKeyPair: Sendable, Equatable {
    public var publicKey: String
    public var secretKey: String

    public init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Whether this libzmq was built with CURVE (libsodium or tweetnacl).
    public static var isSupported: Bool { zmq_has("curve") != 0 }

    /// A new random key pair.
    public static func generate() throws(KeyFileError) -> CurveKeyPair {
        guard isSupported else { throw .unsupported }
        var pub = [CChar](repeating: 0, count: 41), sec = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&pub, &sec) == 0 else { throw .unsupported }
        return CurveKeyPair(publicKey: String(cString: pub), secretKey: String(cString: sec))
    }

    /// The public key that belongs to a secret key.
    public static func publicKey(forSecret secret: String) -> String? {
        guard isValidKey(secret) else { return nil }
        var pub = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&pub, secret) == 0 else { return nil }
        return String(cString: pub)
    }

    /// A Z85 key: 40 characters of the Z85 alphabet (32 bytes).
    public static func isValidKey(_ key: String) -> Bool {
        guard key.utf8.count == 40 else { return false }
        var out = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&out, key) != nil
    }

    /// Z85 text of a 32-byte key as ZAP hands it over.
    static func z85(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 32 else { return nil }
        var out = [CChar](repeating: 0, count: 41)
        return zmq_z85_encode(&out, bytes, 32) == nil ? nil : String(cString: out)
    }
}

/// Problems with key files, each naming the file and the fix.
public enum KeyFileError: Error, Equatable, CustomStringConvertible {
    case unsupported
    case unreadable(path: String)
    case malformed(path: String, detail: String)
    case tooOpen(path: String, mode: String)
    case unwritable(path: String, detail: String)
    case noKey

    public var description: String {
        switch self {
        case .unsupported: "this libzmq has no CURVE support (zmq_has(\"curve\") is false); install a libzmq built with libsodium (Debian's libzmq5 is)"
        case .unreadable(let p): "cannot read the key file \(p); generate one with 'sipc keys generate NAME --dir DIR'"
        case .malformed(let p, let d): "\(p) is not a key file: \(d). Secret key files have the lines 'public=KEY' and 'secret=KEY', public key files one KEY (40 Z85 characters), as 'sipc keys generate' writes them"
        case .tooOpen(let p, let m): "the secret key file \(p) is readable by others (mode \(m)); chmod 600 \(p)"
        case .unwritable(let p, let d): "cannot write \(p): \(d)"
        case .noKey: "no remote.key_file and plain text not allowed: set remote.key_file and remote.authorized_keys (sipc keys generate), or remote.allow_plaintext on loopback only"
        }
    }
}

/// The files `sipc keys generate` writes and components read: `NAME.key` (mode 0600, `public=` and `secret=`
/// lines) and `NAME.pub` (the public key alone, safe to copy to other hosts).
public enum KeyFiles {
    public static func write(_ pair: CurveKeyPair, name: String, directory: String) throws(KeyFileError) -> (secret: String, public: String) {
        let secretPath = "\(directory)/\(name).key", publicPath = "\(directory)/\(name).pub"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch { throw .unwritable(path: directory, detail: "\(error.localizedDescription)") }
        let fd = open(secretPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw .unwritable(path: secretPath, detail: errno == EEXIST ? "it exists already (keys are never overwritten; remove it first)" : String(cString: strerror(errno)))
        }
        let text = "# sip-client CURVE secret key: keep it on this host only\npublic=\(pair.publicKey)\nsecret=\(pair.secretKey)\n"
        let written = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
        guard written == text.utf8.count else { throw .unwritable(path: secretPath, detail: "short write") }
        do {
            try (pair.publicKey + "\n").write(toFile: publicPath, atomically: true, encoding: .utf8)
        } catch { throw .unwritable(path: publicPath, detail: "\(error.localizedDescription)") }
        return (secretPath, publicPath)
    }

    /// Reads a secret key file (refusing one that others can read).
    public static func readKeyPair(_ path: String) throws(KeyFileError) -> CurveKeyPair {
        var st = stat()
        guard stat(path, &st) == 0, let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path: path) }
        if st.st_mode & 0o077 != 0 { throw .tooOpen(path: path, mode: String(st.st_mode & 0o777, radix: 8)) }
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let secret = fields["secret"], CurveKeyPair.isValidKey(secret) else { throw .malformed(path: path, detail: "no valid 'secret=' line") }
        guard let derived = CurveKeyPair.publicKey(forSecret: secret) else { throw .malformed(path: path, detail: "the secret key is not usable") }
        if let stated = fields["public"], stated != derived { throw .malformed(path: path, detail: "its public key does not belong to its secret key") }
        return CurveKeyPair(publicKey: derived, secretKey: secret)
    }

    /// Reads a public key: a `.pub` file, or the public half of a secret key file.
    public static func readPublicKey(_ path: String) throws(KeyFileError) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path: path) }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        if let line = lines.first(where: { $0.hasPrefix("public=") }) {
            let key = String(line.dropFirst("public=".count))
            if CurveKeyPair.isValidKey(key) { return key }
        }
        guard lines.count == 1, CurveKeyPair.isValidKey(lines[0]) else { throw .malformed(path: path, detail: "expected one 40-character Z85 public key") }
        return lines[0]
    }

    /// Public keys allowed in: every `*.pub` file of a directory, or the keys of one file (one per line).
    public static func readAuthorizedKeys(_ path: String) throws(KeyFileError) -> Set<String> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .unreadable(path: path) }
        if isDirectory.boolValue {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".pub") }.sorted()
            var keys = Set<String>()
            for name in names { keys.insert(try readPublicKey("\(path)/\(name)")) }
            return keys
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadable(path: path) }
        var keys = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let key = line.trimmingCharacters(in: .whitespaces)
            if key.isEmpty || key.hasPrefix("#") { continue }
            guard CurveKeyPair.isValidKey(key) else { throw .malformed(path: path, detail: "line '\(key.prefix(60))' is not a public key") }
            keys.insert(key)
        }
        return keys
    }
}

/// How a socket that other hosts connect to is secured, from the `remote.*` settings (orch's `remote.listen`,
/// sip-audio's `remote.audio_listen`): CurveZMQ with the instance key and a ZAP policy of the authorised workers' keys,
/// or, only where allowed (the configuration permits it on loopback alone), plain text still admitted through ZAP.
public struct RemoteServerSecurity: Sendable {
    public var security: SocketSecurity
    /// Set for plain text: the ZAP domain the socket must name (CURVE carries its domain in `security`).
    public var zapDomain: String?
    /// The instance's public key, for logs (nil in plain text).
    public var instanceKey: String?
    public var authorizedCount: Int

    /// Reads the keys and installs the domain's policy in `authenticator` (the one of the socket's context).
    public static func configure(keyFile: String, authorizedKeys: String, allowPlaintext: Bool,
                                 domain: String, authenticator: ZAPAuthenticator) throws(KeyFileError) -> RemoteServerSecurity {
        guard !keyFile.isEmpty else {
            guard allowPlaintext else { throw KeyFileError.noKey }
            authenticator.setPolicy(.plaintext, for: domain)
            return RemoteServerSecurity(security: .none, zapDomain: domain, instanceKey: nil, authorizedCount: 0)
        }
        let keys = try KeyFiles.readKeyPair(keyFile)
        let authorized = try KeyFiles.readAuthorizedKeys(authorizedKeys)
        authenticator.setPolicy(.curve(authorized: authorized), for: domain)
        return RemoteServerSecurity(security: .curveServer(secretKey: keys.secretKey, domain: domain), zapDomain: nil,
                                    instanceKey: keys.publicKey, authorizedCount: authorized.count)
    }
}
