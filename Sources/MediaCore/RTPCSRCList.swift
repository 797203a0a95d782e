/// Up to 15 contributing-source identifiers stored inline.
///
/// Why not `[UInt32]`: an RTP header is parsed for every received packet and
/// built for every sent one; inline storage keeps both allocation-free. The
/// capacity is the protocol maximum (the CC field is 4 bits).
public struct RTPCSRCList: Sendable, RandomAccessCollection, Equatable, Hashable {
    public static let capacity = 15

    private typealias Storage = (
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
        UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32
    )
    private var storage: Storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    public private(set) var count: Int = 0

    public init() {}

    /// Returns nil when `values` holds more than 15 identifiers.
    public init?(_ values: some Sequence<UInt32>) {
        for value in values {
            guard append(value) else { return nil }
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> UInt32 {
        precondition(position >= 0 && position < count, "CSRC index out of range")
        return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: position * 4, as: UInt32.self) }
    }

    /// Appends an identifier; returns false (and changes nothing) when full.
    @discardableResult
    public mutating func append(_ value: UInt32) -> Bool {
        guard count < Self.capacity else { return false }
        let position = count
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: value, toByteOffset: position * 4, as: UInt32.self) }
        count += 1
        return true
    }

    public mutating func removeAll() {
        count = 0
    }

    public static func == (lhs: RTPCSRCList, rhs: RTPCSRCList) -> Bool {
        lhs.elementsEqual(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for value in self { hasher.combine(value) }
    }
}

extension RTPCSRCList: ExpressibleByArrayLiteral {
    /// Array literals longer than 15 elements are a programming error.
    public init(arrayLiteral elements: UInt32...) {
        precondition(elements.count <= Self.capacity, "at most 15 CSRCs")
        self.init()
        for element in elements { append(element) }
    }
}

extension RTPCSRCList: CustomStringConvertible {
    public var description: String { "\(Array(self))" }
}
