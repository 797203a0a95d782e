import Foundation
import Synchronization
import Wire

/// Fault injection for the chaos suite (scripts/chaos): with `SIPC_FAULT_DROP_BUS_PCT=N` in its environment, a
/// process drops about N % of the events and replies it sends over its control link, as a lossy or overloaded bus
/// would. Never set in normal operation; the count of dropped messages is in the link's counters.
public enum FaultInjection {
    /// The percentage read once from the environment (0 when unset or not a number from 0 to 100).
    public static let dropPercent: Double = {
        guard let text = ProcessInfo.processInfo.environment["SIPC_FAULT_DROP_BUS_PCT"], let value = Double(text),
              (0...100).contains(value) else { return 0 }
        return value
    }()

    static let dropped = Atomic<Int>(0)

    /// Whether to drop this outgoing message (events and replies only: hellos and heartbeats are supervision's own
    /// faults, tested by killing and stopping processes).
    static func shouldDrop(_ message: ControlMessage) -> Bool {
        guard dropPercent > 0 else { return false }
        switch message {
        case .event, .reply: break
        default: return false
        }
        guard Double.random(in: 0..<100) < dropPercent else { return false }
        dropped.add(1, ordering: .relaxed)
        return true
    }

    /// Messages dropped so far by this process.
    public static var droppedCount: Int { dropped.load(ordering: .relaxed) }
}
