import Foundation
import ProcessSupport

/// A validated client configuration, made by `SIPClientBuilder.build()`: everything `SIPClient(configuration:)`
/// needs, checked up front so that starting cannot fail on a typo.
public struct SIPClientConfiguration: Sendable, Equatable {
    /// The client's SIP identity (`sip:user@host`): the `from` of its calls once registered.
    public var identity: String
    /// The instance to attach to or start.
    public var instanceName: String
    /// Base directory of run directories (like `$XDG_RUNTIME_DIR`); nil uses the environment's.
    public var runtimeDirectory: String?
    /// Attach to the instance if it already runs (keeping its settings); false demands a group of our own.
    public var attachIfRunning: Bool
    /// The account to register, when credentials or a registrar were given.
    public var account: AccountSettings?
    /// The arguments `sip-orch` gets when this client starts the group (the `sipc up` flags), e.g.
    /// `["--sip-listen", "127.0.0.1:5070", "--audio", "null", "--set", "sip.codecs=PCMA,PCMU"]`.
    public var orchArguments: [String]
    /// How long starting the group may take.
    public var startTimeout: Duration

    /// Where the instance's sockets and logs live.
    public var runDirectory: RunDirectory {
        if let runtimeDirectory {
            return RunDirectory(instance: instanceName, path: runtimeDirectory + "/sip-client/" + instanceName)
        }
        return RunDirectory(instance: instanceName)
    }

    /// The defaults `SIPClient(identity:)` uses: the instance named by `$SIPC_INSTANCE` (else `default`), attached
    /// if it runs, else started with SIP on 0.0.0.0:5060 and the sound card if ALSA has a `default` device.
    public static func defaults(identity: String) throws(SIPClientError) -> SIPClientConfiguration {
        try SIPClientBuilder(identity: identity).build()
    }
}
