import SIPCore
import SIPTransaction

/// The small answers of a user agent server (RFC 3261 §8.2), shared by the sessions and by the adapter's handling of
/// requests outside any call.
public enum UASResponses {
    /// Option tags we support (Supported in our requests and OPTIONS answers; an INVITE may Require them).
    public static let supportedOptions = ["100rel", "timer", "replaces"]

    /// §8.2.2.3: option tags in Require that we do not support get 420 with Unsupported; nil when all are ours (ACK and
    /// CANCEL are never checked).
    public static func unsupportedRequire(_ request: SIPMessage, random: inout SessionRandom) -> SIPMessage? {
        guard let method = request.method, method != .ack, method != .cancel, let required = try? request.require() else { return nil }
        let unknown = required.filter { !supportedOptions.contains($0.lowercased()) }
        guard !unknown.isEmpty else { return nil }
        var r = SIPResponseBuilder.response(to: request, status: 420, toTag: toTag(for: request, random: &random))
        r.set(.unsupported, unknown.joined(separator: ", "))
        return r
    }

    /// 200 to OPTIONS (§11.2): what we can do.
    public static func options(to request: SIPMessage, random: inout SessionRandom) -> SIPMessage {
        var r = SIPResponseBuilder.response(to: request, status: 200, toTag: toTag(for: request, random: &random))
        RequestFactory.decorate(&r)
        r.set(.accept, RequestFactory.accept)
        r.set("Accept-Encoding", "identity")
        r.set("Accept-Language", "en")
        r.set(.supported, supportedOptions.joined(separator: ", "))
        return r
    }

    /// 405 with Allow (§8.2.1).
    public static func methodNotAllowed(_ request: SIPMessage, random: inout SessionRandom) -> SIPMessage {
        var r = SIPResponseBuilder.response(to: request, status: 405, toTag: toTag(for: request, random: &random))
        RequestFactory.decorate(&r)
        return r
    }

    /// A To tag for a response outside a dialog of ours: a fresh one when the request has none, else nil (keep its).
    public static func toTag(for request: SIPMessage, random: inout SessionRandom) -> String? {
        ((try? request.to()?.tag).flatMap { $0 }) == nil ? SIPRandomToken.make(length: 10, using: &random) : nil
    }
}
