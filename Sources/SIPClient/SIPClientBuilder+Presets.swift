/// Starting points for the two usual kinds of client. Refine them like any builder:
///
///     let agent = try SIPClientBuilder.headlessAgent.identity("sip:agent7@pbx.example.com")
///         .credentials(user: "agent7", password: "secret").build()
extension SIPClientBuilder {
    /// A phone on a desk: the sound card (`alsa:default`), with echo cancellation, noise suppression and automatic
    /// gain control on, since a desktop usually has loudspeakers and a distant microphone.
    public static var desktopSoftphone: SIPClientBuilder {
        SIPClientBuilder()
            .audioBackend(.alsa(device: "default"))
            .echoCancellation(true)
            .noiseSuppression(true)
            .gainControl(true)
    }

    /// A program that takes calls unattended (IVR, call-centre robot, test peer): no sound card (null audio; use
    /// `.audioBackend(.file(...))` to play a prompt), answers every call, and no echo cancellation, because
    /// there is no acoustic path to cancel.
    public static var headlessAgent: SIPClientBuilder {
        SIPClientBuilder()
            .audioBackend(.null)
            .autoAnswer(true)
            .echoCancellation(false)
            .noiseSuppression(false)
    }
}
