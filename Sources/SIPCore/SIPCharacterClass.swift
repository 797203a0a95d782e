/// Byte classes from the RFC 3261 §25.1 ABNF, as one 256-entry bit table.
///
/// Why a table: every parser in this module asks "is this byte allowed here?" in
/// its inner loop; a single indexed load beats chains of comparisons and keeps the
/// grammar in one auditable place.
enum SIPChar {
    struct Class: OptionSet, Sendable {
        let rawValue: UInt16
        static let alphanum = Class(rawValue: 1 << 0)
        static let token = Class(rawValue: 1 << 1)
        static let word = Class(rawValue: 1 << 2)
        static let unreserved = Class(rawValue: 1 << 3)
        static let userExtra = Class(rawValue: 1 << 4)       // user-unreserved
        static let passwordExtra = Class(rawValue: 1 << 5)   // "&" / "=" / "+" / "$" / ","
        static let paramExtra = Class(rawValue: 1 << 6)      // param-unreserved
        static let hnvExtra = Class(rawValue: 1 << 7)        // hnv-unreserved
        static let host = Class(rawValue: 1 << 8)            // hostname chars (liberal: "_" too)
        static let uric = Class(rawValue: 1 << 9)            // absoluteURI chars
        static let digit = Class(rawValue: 1 << 10)
        static let hex = Class(rawValue: 1 << 11)
        static let schemeChar = Class(rawValue: 1 << 12)     // ALPHA / DIGIT / "+" / "-" / "."
    }

    static let table: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 256)
        func add(_ chars: String, _ c: Class) { for b in chars.utf8 { t[Int(b)] |= c.rawValue } }
        let alnum = Class.alphanum.rawValue | Class.token.rawValue | Class.word.rawValue
            | Class.unreserved.rawValue | Class.host.rawValue | Class.uric.rawValue | Class.schemeChar.rawValue
        for b in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(b)] |= alnum }
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(b)] |= alnum }
        for b in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(b)] |= alnum | Class.digit.rawValue | Class.hex.rawValue }
        add("abcdefABCDEF", .hex)
        add("-.!%*_+`'~", .token)
        add("-.!%*_+`'~()<>:\\\"/[]?{}", .word)
        add("-_.!~*'()", .unreserved)
        add("&=+$,;?/", .userExtra)
        add("&=+$,", .passwordExtra)
        add("[]/:&+$", .paramExtra)
        add("[]/?:+$", .hnvExtra)
        add("-._", .host)
        add(";/?:@&=+$,-_.!~*'()%[]#", .uric)
        add("+-.", .schemeChar)
        return t
    }()

    @inline(__always)
    static func `is`(_ b: UInt8, _ c: Class) -> Bool { table[Int(b)] & c.rawValue != 0 }

    @inline(__always) static func isToken(_ b: UInt8) -> Bool { table[Int(b)] & Class.token.rawValue != 0 }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isHex(_ b: UInt8) -> Bool { table[Int(b)] & Class.hex.rawValue != 0 }
    @inline(__always) static func isWSP(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }

    /// ASCII lower-casing of one byte.
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { (b &- 0x41 < 26) ? b | 0x20 : b }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// True when every byte is a token character and there is at least one.
    static func isTokenString<S: Sequence>(_ s: S) -> Bool where S.Element == UInt8 {
        var any = false
        for b in s { guard isToken(b) else { return false }; any = true }
        return any
    }

    /// Checks a run of bytes against a class, accepting `%HH` escapes when `escapes` is set.
    static func matches(_ bytes: ArraySlice<UInt8>, _ c: Class, escapes: Bool) -> Bool {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "%") && escapes {
                guard i + 2 < bytes.endIndex, isHex(bytes[i + 1]), isHex(bytes[i + 2]) else { return false }
                i += 3
                continue
            }
            guard table[Int(b)] & c.rawValue != 0 else { return false }
            i += 1
        }
        return true
    }
}

extension String {
    /// ASCII case-insensitive comparison; SIP names, schemes and parameters compare this way.
    func sipCaseInsensitiveEquals(_ other: String) -> Bool {
        let a = self.utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where SIPChar.lower(x) != SIPChar.lower(y) { return false }
        return true
    }

    /// ASCII-only lower-casing (leaves non-ASCII untouched, unlike `lowercased()` locale rules).
    var sipLowercased: String {
        var bytes = Array(self.utf8)
        for i in bytes.indices { bytes[i] = SIPChar.lower(bytes[i]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
