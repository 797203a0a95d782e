import ArgumentParser
import Bus
import Foundation

/// `sipc keys generate NAME [--dir DIR]`: a CurveZMQ key pair for an instance (orch and sip-audio prove themselves
/// with it) or for a remote media worker. `NAME.key` stays on its host (mode 0600); `NAME.pub` is what the other
/// side needs: a worker's goes into orch's `remote.authorized_keys` directory, the instance's to every worker host.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "CurveZMQ keys for remote media workers (docs/DEPLOY.md).",
        subcommands: [Generate.self, Show.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a new key pair: DIR/NAME.key (secret, 0600) and DIR/NAME.pub.")
        @Argument(help: "Name of the key files, e.g. instance or worker-host2.") var name: String
        @Option(help: "Directory for the files (created if missing).") var dir: String = "."

        func validate() throws {
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
                throw ValidationError("NAME may use letters, digits, '-', '_' and '.', e.g. worker-host2")
            }
        }

        func run() async throws {
            do {
                let pair = try CurveKeyPair.generate()
                let (secret, pub) = try KeyFiles.write(pair, name: name, directory: dir)
                print("secret key: \(secret) (keep it on this host)")
                print("public key: \(pub) \(pair.publicKey)")
            } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the public key of a .key or .pub file.")
        @Argument(help: "The key file.") var file: String

        func run() async throws {
            do { print(try KeyFiles.readPublicKey(file)) } catch {
                printError("\(error)")
                throw ExitCode(1)
            }
        }
    }
}
