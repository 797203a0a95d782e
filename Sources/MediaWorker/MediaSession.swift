import MediaCore
import NIOCore

/// A call's media as the engine holds it: the pure core, and what touches I/O around it (the RTP and RTCP
/// channels, the recording's file, destinations as NIO wants them).
///
/// Confined to the engine's event loop (every method and property is used there only), so it needs no locks;
/// `@unchecked Sendable` only so the channel initializers, which run on that loop, can hold it.
final class MediaSession: @unchecked Sendable {
    var core: MediaSessionCore
    var rtp: (any Channel)?
    var rtcp: (any Channel)?
    /// The call's recording while one runs (`media.record`).
    var recorder: CallRecorder? {
        didSet { core.isRecording = recorder != nil }
    }
    /// Set at release: datagrams still in the closing channels are dropped.
    var released = false
    /// Whether the core was started (kept here: reading a property of the core through the class copies the core).
    var started = false
    /// The last two destinations and their socket addresses (RTP and RTCP): built again only when an address changes.
    private var destinations: [(MediaAddress, SocketAddress)] = []

    init(core: MediaSessionCore) { self.core = core }

    func socketAddress(for destination: MediaAddress) -> SocketAddress {
        for (address, socket) in destinations where address == destination { return socket }
        if destinations.count == 2 { destinations.removeFirst() }
        let socket = destination.socketAddress
        destinations.append((destination, socket))
        return socket
    }
}
