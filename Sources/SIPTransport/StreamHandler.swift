import NIOCore
import SIPCore

/// Frames SIP messages from one TCP connection (§18.3) with `SIPStreamFramer`, registers the connection for
/// reuse while it is open, and closes it on a framing error (the stream position is lost) or when idle.
final class StreamHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let sink: InboundSink
    private let transport: SIPTransportKind
    private var framer: SIPStreamFramer
    private var buffer: [UInt8] = []
    private var remote: SIPTransportAddress?
    private var local: SIPTransportAddress?

    init(sink: InboundSink, transport: SIPTransportKind, limits: SIPParserLimits) {
        self.sink = sink
        self.transport = transport
        self.framer = SIPStreamFramer(limits: limits)
    }

    func channelActive(context: ChannelHandlerContext) {
        remote = context.channel.remoteAddress?.sipAddress(transport)
        local = context.channel.localAddress?.sipAddress(transport)
        if let remote { sink.connectionOpened(remote, channel: context.channel) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let remote { sink.connectionClosed(remote, channel: context.channel) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard let remote, let local else { return }
        buffer.append(contentsOf: bytes.readableBytesView)
        bytes.moveReaderIndex(forwardBy: bytes.readableBytes)
        while true {
            let keepAlivesBefore = framer.skippedKeepAliveBytes
            let result: Result<SIPStreamFramer.DecodingResult, SIPParseError>
            do { result = .success(try framer.decode(buffer: &buffer)) } catch { result = .failure(error) }
            if framer.skippedKeepAliveBytes != keepAlivesBefore { sink.keepAlive() }
            switch result {
            case .success(.message(let message)):
                sink.message(message, from: remote, local: local)
            case .success(.needMoreData):
                return
            case .failure(let error):
                sink.malformed(Array(buffer.prefix(4096)), error: error, from: remote, local: local)
                buffer = []
                context.close(promise: nil)
                return
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
