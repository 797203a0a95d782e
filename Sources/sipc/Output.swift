import Foundation
import Wire

/// Writes to stderr (messages for the operator) without Foundation's buffering surprises.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("sipc: " + message + "\n").utf8))
}

/// Pretty JSON for humans, one-line JSON for `--json` consumers.
func jsonLine(_ value: JSONValue) -> String { value.encodedString() }
