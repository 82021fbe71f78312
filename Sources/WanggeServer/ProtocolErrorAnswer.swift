import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import WanggeCore

/// Answers a request the HTTP parser cannot read — a request line or header over the limit, a malformed request
/// line — with the service's JSON error (and the limit) instead of a bare 400, then closes the connection, as the
/// parser's state is lost. A parse error after a request's head was passed on (a broken chunked body) only closes:
/// a response to that request may already be on its way.
final class ProtocolErrorAnswer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The largest request head (request line and header fields) the decoder takes.
    let maxHeaderBytes: Int
    /// True from a request's head until its response has ended.
    var exchangeOpen = false

    init(maxHeaderBytes: Int) { self.maxHeaderBytes = maxHeaderBytes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { exchangeOpen = true }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { exchangeOpen = false }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parse = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !exchangeOpen else {
            context.close(promise: nil)
            return
        }
        let kib = maxHeaderBytes / 1024
        let message: String
        switch parse {
        case .headerOverflow: message = "the request line and headers are larger than the limit of \(kib) KiB (\(maxHeaderBytes) bytes); send a shorter URL or fewer headers"
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment: message = "the request line's target is not a valid URL"
        case .invalidMethod: message = "the request line's method is not valid"
        case .invalidVersion: message = "the request is not HTTP/1.x"
        case .invalidHeaderToken, .invalidCharactersUsed: message = "a header field has characters HTTP does not allow"
        case .invalidContentLength, .unexpectedContentLength: message = "the Content-Length header is not valid"
        case .invalidChunkSize: message = "the chunked body is malformed"
        default: message = "the request could not be read as HTTP/1.1 (\(parse))"
        }
        let body = APIError(.badRequest, code: "malformed_request", message: message).json
        var w = GeoJSONWriter()
        w.appendValue(body)
        let bytes = w.take()
        let head = HTTPResponse(status: .badRequest, headerFields: [.contentType: "application/json", .contentLength: String(bytes.count), .connection: "close"])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: bytes))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
