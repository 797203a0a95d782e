/// The Date header (RFC 3261 §20.17): `rfc1123-date` restricted to GMT.
///
/// Why: RFC 4475 `baddate` sends `EST`; RFC 3261 allows only "GMT" (not UT, UTC).
/// Validation of Date is optional in `SIPMessageValidator`, since most elements
/// never read it. No calendar math here, just the fields.
public struct SIPDate: Sendable, Hashable, CustomStringConvertible {
    public var weekday: String
    public var day: Int
    /// 1...12
    public var month: Int
    public var year: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public init(weekday: String, day: Int, month: Int, year: Int, hour: Int, minute: Int, second: Int) {
        self.weekday = weekday
        self.day = day
        self.month = month
        self.year = year
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Parses `Sat, 13 Nov 2010 23:29:00 GMT`.
    public static func parse(_ text: String) throws(SIPParseError) -> SIPDate {
        func bad(_ d: String) -> SIPParseError { SIPParseError(.badHeader, header: "Date", detail: d) }
        let b = SIPScalar.trimmed(text)
        let parts = b.split(whereSeparator: SIPChar.isWSP).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count == 6 else { throw bad("not rfc1123-date") }
        let wk = parts[0]
        guard wk.utf8.last == UInt8(ascii: ","), weekdays.contains(String(wk.dropLast())) else { throw bad("bad weekday") }
        guard parts[1].utf8.count == 2, let day = SIPDecimal.parse(parts[1], max: 31), day >= 1 else { throw bad("bad day") }
        guard let mi = months.firstIndex(of: parts[2]) else { throw bad("bad month") }
        guard parts[3].utf8.count == 4, let year = SIPDecimal.parse(parts[3], max: 9999) else { throw bad("bad year") }
        let t = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard t.count == 3, t.allSatisfy({ $0.utf8.count == 2 }),
              let h = SIPDecimal.parse(String(t[0]), max: 23),
              let m = SIPDecimal.parse(String(t[1]), max: 59),
              let s = SIPDecimal.parse(String(t[2]), max: 60) else { throw bad("bad time") }
        guard parts[5] == "GMT" else { throw bad("time zone must be GMT") }
        return SIPDate(weekday: String(wk.dropLast()), day: Int(day), month: mi + 1, year: Int(year),
                       hour: Int(h), minute: Int(m), second: Int(s))
    }

    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let mon = (1...12).contains(month) ? Self.months[month - 1] : "Jan"
        return "\(weekday), \(two(day)) \(mon) \(year) \(two(hour)):\(two(minute)):\(two(second)) GMT"
    }
}
