/// Commands sig serves (docs/PROTOCOL.md §4), one type each, and the events it publishes.
public enum SigAPI {
    public static let commands: [any WireCommand.Type] = [
        AccountAdd.self, AccountRemove.self,
        CallDial.self, CallAnswer.self, CallReject.self, CallHangup.self, CallRestore.self, Calls.self, CallDescribe.self,
        CallAnswerSlots.self,
        CallHold.self, CallResume.self, CallReoffer.self, CallDTMFInfo.self, CallTransfer.self, CallReferNotify.self,
    ]
    public static let events: [any WireEvent.Type] = SigEvents.all
}
