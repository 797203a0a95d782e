@testable import SIPClient
import Testing

extension SIPClientTests {
    /// The public kinds of events, errors and codecs are structs: a later version adds kinds without breaking a
    /// `switch` in an application; the details stay reachable through properties.
    @Suite struct GrowableTypesTests {
        @Test func anErrorTellsItsKindAndDetails() {
            let failed = SIPClientError.callFailed(callID: "c1", status: 486, reason: "486 Busy Here")
            #expect(failed.kind == .callFailed && failed.kind != .callEnded)
            #expect(failed.callID == "c1" && failed.sipStatus == 486 && failed.failureReason == "486 Busy Here")
            #expect("\(failed)" == "call c1 was not answered (SIP 486, 486 Busy Here). Fix: the callee is busy; try again later")
            let refused = SIPClientError.requestFailed(command: "hangup", code: "not_found", message: "no call 'x'")
            #expect(refused.kind == .requestFailed && refused.code == "not_found" && refused.command == "hangup" && refused.callID == nil)
            let setting = SIPClientError.invalidConfiguration(setting: "codecs", problem: "empty", fix: "list one")
            #expect(setting.setting == "codecs" && setting.fix == "list one" && setting.problem == "empty")
            #expect(SIPClientError.cancelled == .cancelled && SIPClientError.cancelled != .clientShutDown)
            #expect(SIPClientError.Kind.timeout.description == "timeout")
        }

        @Test func codecsAreNamedAsSDPNamesThem() {
            #expect(Codec.allCases == [.pcmu, .pcma])
            #expect(Codec(rawValue: "PCMA") == .pcma && Codec(rawValue: "pcmu") == .pcmu && Codec(rawValue: "opus") == nil)
            #expect(Codec.pcmu.rawValue == "PCMU" && "\(Codec.pcma)" == "PCMA")
        }
    }
}
