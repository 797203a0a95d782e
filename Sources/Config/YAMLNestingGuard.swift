/// A settings file is two levels deep (sections of scalar settings); the YAML library parses nesting by recursion, so
/// a file nested thousands of levels deep (`[[[[...`, found by fuzzing the config loader) would overflow the stack.
/// This scan refuses such a file before it is parsed, with a message, instead of crashing.
enum YAMLNestingGuard {
    /// Deeper than this is not a settings file (flow collections, sequence markers on one line, or indentation).
    static let maxDepth = 16
    static let maxIndentation = 64

    /// The problem with `text`, or nil when its nesting is shallow enough to parse.
    static func problem(in text: String) -> String? {
        var flowDepth = 0
        var quote: UInt8?
        var comment = false
        var atLineStart = true
        var indentation = 0
        var dashes = 0
        var previous: UInt8 = 0x0A
        var line = 1
        for byte in text.utf8 {
            defer { previous = byte }
            if byte == 0x0A {
                line += 1
                comment = false
                atLineStart = true
                indentation = 0
                dashes = 0
                if quote == 0x27 || quote == 0x22 { continue }  // quoted scalars may span lines
                continue
            }
            if comment { continue }
            if let q = quote {
                if byte == q { quote = nil }
                continue
            }
            if atLineStart {
                if byte == 0x20 {
                    indentation += 1
                    if indentation > maxIndentation { return "line \(line) is indented more than \(maxIndentation) spaces" }
                    continue
                }
                if byte == 0x2D, dashes >= 0 {  // "- " sequence markers, possibly several on one line
                    dashes += 1
                    if dashes > maxDepth { return "line \(line) nests more than \(maxDepth) sequences" }
                    continue
                }
                if byte == 0x20 || byte == 0x09 { continue }
                atLineStart = false
            }
            switch byte {
            case 0x23 where previous == 0x20 || previous == 0x09 || previous == 0x0A: comment = true
            case 0x27, 0x22: quote = byte
            case 0x5B, 0x7B:
                flowDepth += 1
                if flowDepth > maxDepth { return "line \(line) nests more than \(maxDepth) levels of [ ] or { }" }
            case 0x5D, 0x7D: flowDepth = max(0, flowDepth - 1)
            default: break
            }
        }
        return nil
    }
}
