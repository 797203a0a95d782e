import SIPCore
@testable import SIPDialog

/// Builds messages from header lines the way they arrive on the wire, so tests read
/// like the RFC 3261 §24 call flows they follow.
enum Wire {
    static let callID = "a84b4c76e66710@pc33.atlanta.example.com"
    static let aliceTag = "1928301774"
    static let aliceContact = "sip:alice@pc33.atlanta.example.com"
    static let inviteCSeq: UInt32 = 314159
    static let proxyAuth = #"Digest username="alice", realm="atlanta.example.com", nonce="wf84f1ceczx41ae6cbe5aea9c8e88d359", uri="sip:bob@biloxi.example.com", response="42ce3cef44b22f50c6a6071bc8""#

    static func parse(_ lines: [String]) throws -> SIPMessage {
        try SIPMessageParser().parse(lines.joined(separator: "\r\n") + "\r\n\r\n")
    }

    /// Alice's initial INVITE (no To tag).
    static func invite(recordRoute: [String] = [], contact: String? = aliceContact,
                       uri: String = "sip:bob@biloxi.example.com", auth: Bool = true) throws -> SIPMessage {
        var l = ["INVITE \(uri) SIP/2.0",
                 "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
                 "Max-Forwards: 70",
                 "To: Bob <sip:bob@biloxi.example.com>",
                 "From: Alice <sip:alice@atlanta.example.com>;tag=\(aliceTag)",
                 "Call-ID: \(callID)",
                 "CSeq: \(inviteCSeq) INVITE"]
        l += recordRoute.map { "Record-Route: \($0)" }
        if let contact { l.append("Contact: <\(contact)>") }
        if auth { l.append("Proxy-Authorization: \(proxyAuth)") }
        l.append("Content-Length: 0")
        return try parse(l)
    }

    /// A response to Alice's INVITE from Bob's side.
    static func response(_ code: Int, reason: String = "OK", toTag: String? = "a6c85cf",
                         recordRoute: [String] = [], contact: String? = "sip:bob@192.0.2.4",
                         cseq: String = "\(inviteCSeq) INVITE") throws -> SIPMessage {
        var l = ["SIP/2.0 \(code) \(reason)",
                 "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1"]
        l += recordRoute.map { "Record-Route: \($0)" }
        l += ["To: Bob <sip:bob@biloxi.example.com>" + (toTag.map { ";tag=\($0)" } ?? ""),
              "From: Alice <sip:alice@atlanta.example.com>;tag=\(aliceTag)",
              "Call-ID: \(callID)",
              "CSeq: \(cseq)"]
        if let contact { l.append("Contact: <\(contact)>") }
        l.append("Content-Length: 0")
        return try parse(l)
    }

    /// A request from Bob to Alice inside the dialog (tags swapped relative to Alice's requests).
    static func fromBob(_ method: String, cseq: UInt32, toTag: String = aliceTag, fromTag: String = "a6c85cf",
                        contact: String? = nil, callID: String = callID) throws -> SIPMessage {
        var l = ["\(method) \(aliceContact) SIP/2.0",
                 "Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10",
                 "Max-Forwards: 70",
                 "From: Bob <sip:bob@biloxi.example.com>;tag=\(fromTag)",
                 "To: Alice <sip:alice@atlanta.example.com>;tag=\(toTag)",
                 "Call-ID: \(callID)",
                 "CSeq: \(cseq) \(method)"]
        if let contact { l.append("Contact: <\(contact)>") }
        l.append("Content-Length: 0")
        return try parse(l)
    }

    /// Confirmed UAC dialog for Alice.
    static func aliceDialog(recordRoute: [String] = [], contact: String = "sip:bob@192.0.2.4") throws -> SIPDialog {
        try SIPDialog.uac(request: invite(), response: response(200, recordRoute: recordRoute, contact: contact))
    }

    /// Bob's view: an incoming INVITE with Record-Route and Contact as given.
    static func incomingInvite(recordRoute: [String], contact: String? = "sip:alice@pc33.atlanta.example.com",
                               uri: String = "sip:bob@biloxi.example.com") throws -> SIPMessage {
        try invite(recordRoute: recordRoute, contact: contact, uri: uri, auth: false)
    }

    static func routeValues(_ m: SIPMessage) throws -> [String] {
        try m.routes().map { $0.uri.description }
    }
}
