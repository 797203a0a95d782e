import NIOCore
import SIPCore

/// Hands each UDP datagram to the layer, which parses it. One datagram is one message (§18.3).
final class DatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let sink: InboundSink
    private var local: SIPTransportAddress?

    init(sink: InboundSink) {
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // The bound address is known only once bind completed, so it is read on first use.
        if local == nil { local = context.channel.localAddress?.sipAddress(.udp) }
        guard let from = envelope.remoteAddress.sipAddress(.udp), let local else { return }
        envelope.data.withUnsafeReadableBytes { sink.datagram($0, from: from, local: local) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors and the like arrive here on connected semantics; a listener keeps going.
    }
}
