/// Every way `SDPParser` can reject input. Each case names the defect and, where it
/// is tied to a line, the 1-based physical line number — so a SIP stack can log a
/// precise reason alongside its 400/488 response.
public enum SDPParseError: Error, Sendable, Hashable {
    /// Input is empty or contains only blank lines.
    case empty
    /// Input exceeds `SDPParser.Limits.maxBytes`.
    case tooLarge(size: Int, limit: Int)
    /// A line exceeds `SDPParser.Limits.maxLineLength` bytes.
    case lineTooLong(line: Int, length: Int, limit: Int)
    /// More `m=` sections than `SDPParser.Limits.maxMediaSections`.
    case tooManyMediaSections(line: Int, limit: Int)
    /// Bytes are not valid UTF-8.
    case invalidEncoding
    /// Line is not of the form `<lowercase letter>=<value>`.
    case malformedLine(line: Int)
    /// First line is not `v=`.
    case missingVersion(line: Int)
    /// `v=` is present but not `0`.
    case unsupportedVersion(line: Int, value: String)
    /// A mandatory session line (`o`, `s`, `t`) is absent.
    case missingField(Character)
    /// A line that may appear once at its level appeared again.
    case duplicateField(line: Int, type: Character)
    /// A session-only line (`o`, `s`, `t`, ...) appeared inside a media section.
    case unexpectedLine(line: Int, type: Character)
    case invalidOrigin(line: Int)
    case invalidConnection(line: Int)
    case invalidTiming(line: Int)
    /// `m=` line has too few fields.
    case invalidMedia(line: Int)
    /// `m=` port (or `/count`) is not a valid number in range.
    case invalidMediaPort(line: Int, value: String)
    /// `a=` with an empty attribute name.
    case invalidAttribute(line: Int)
}
