import Foundation
import Synchronization
import Wire

/// Publishes events on a PUB socket as two frames: the event type (for prefix subscriptions) and the JSON
/// event. Sequence numbers are assigned here, so subscribers can detect gaps.
public final class EventPublisher: Sendable {
    private let endpoint: BusEndpoint
    private let sequence = Atomic<UInt64>(0)

    public init(bindTo address: String, context: ZMQContext = .shared) throws(BusError) {
        var spec = SocketSpec(type: .pub, bind: [address])
        spec.sendHighWaterMark = 10_000
        endpoint = try BusEndpoint(name: "events", context: context, sockets: [spec])
    }

    @discardableResult
    public func publish(_ type: String, _ data: [String: JSONValue] = [:]) -> Event {
        let seq = sequence.add(1, ordering: .relaxed).newValue
        let event = Event(seq: seq, type: type, time: Date().timeIntervalSince1970, data: data)
        endpoint.send([Array(type.utf8), ControlMessage.event(event).encoded()])
        return event
    }

    public func shutdown() { endpoint.shutdown() }

    /// The endpoint actually bound (a `tcp://…:*` wildcard resolved to its port).
    public var boundEndpoint: String { endpoint.boundEndpoints.first ?? "" }
}

/// Follows an event stream. Malformed messages are dropped and counted, never delivered.
public final class EventSubscriber: Sendable {
    private let endpoint: BusEndpoint
    private let counter = MalformedCounter()
    public let events: AsyncStream<Event>
    private let pump: Mutex<Task<Void, Never>?> = Mutex(nil)

    private final class MalformedCounter: Sendable { let value = Atomic<Int>(0) }

    /// `prefixes` filter by event type ("component." for all component events); empty means everything.
    public init(connectTo address: String, prefixes: [String] = [], context: ZMQContext = .shared) throws(BusError) {
        var spec = SocketSpec(type: .sub, connect: [address])
        spec.subscriptions = prefixes.isEmpty ? [[]] : prefixes.map { Array($0.utf8) }
        spec.maxMessageSize = Int64(WireLimits.maxControlMessageBytes * 16)
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(10_000))
        events = stream
        let counter = self.counter
        // Decoded on the endpoint's thread: one hop less per event.
        endpoint = try BusEndpoint(name: "subscriber", context: context, sockets: [spec]) { message in
            if let event = Self.decode(message) { continuation.yield(event) } else { counter.value.add(1, ordering: .relaxed) }
        }
        let inbound = endpoint.inbound
        let task = Task {
            for await _ in inbound {}  // ends when the endpoint stops
            continuation.finish()
        }
        pump.withLock { $0 = task }
    }

    private static func decode(_ message: BusMessage) -> Event? {
        guard message.frames.count == 2,
              case .event(let event)? = try? ControlMessage.decode(message.frames[1]),
              Array(event.type.utf8) == message.frames[0]
        else { return nil }
        return event
    }

    public var malformedCount: Int { counter.value.load(ordering: .relaxed) }

    public func shutdown() {
        endpoint.shutdown()
        pump.withLock { $0?.cancel() }
    }
}
