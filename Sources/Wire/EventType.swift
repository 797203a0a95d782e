/// Event types published on the event socket. New types may be added in any version.
public enum EventType {
    public static let componentUp = "component.up"
    public static let componentDown = "component.down"
    public static let componentRestarted = "component.restarted"
    public static let componentHung = "component.hung"
    public static let componentDegraded = "component.degraded"
    public static let instanceStopping = "instance.stopping"
    /// Published on request (`probe_events`) so a subscriber can tell its subscription is live.
    public static let instanceProbe = "instance.probe"
}
