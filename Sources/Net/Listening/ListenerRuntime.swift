import Configuration
import Mail
import Telemetry
import TLS

/// Everything a connection needs from its listener's configuration,
/// resolved once per configuration generation (start and each reload).
/// Immutable, so workers share it without locks; a reload swaps it.
final class ListenerRuntime: Sendable {
    let configuration: ListenerConfiguration
    let tls: TLSContext
    let policy: VersionPolicy
    let backends: [Backend]
    let limits: Limits
    let abuse: AbuseSettings
    /// nil when `[metrics]` is off: then nothing is recorded at all.
    let telemetry: ListenerTelemetry?

    var name: String { configuration.name }
    var mailProtocol: MailProtocol { configuration.protocol }

    init(configuration: ListenerConfiguration, tls: TLSContext, limits: Limits, abuse: AbuseSettings, backends: [Backend],
         telemetry: ListenerTelemetry?) {
        self.configuration = configuration
        self.tls = tls
        self.policy = VersionPolicy(floor: configuration.minVersion, legacy: configuration.legacy)
        self.backends = backends
        self.limits = limits
        self.abuse = abuse
        self.telemetry = telemetry
    }
}
