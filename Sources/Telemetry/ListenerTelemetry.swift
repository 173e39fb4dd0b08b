import CoreMetrics
import EventLog
import TLS

/// One listener's metric handles, every labelled series resolved when the
/// listener's runtime is built: recording a connection indexes arrays and
/// increments atomics — no label strings, no dictionary, no lock but the
/// histogram's.
public final class ListenerTelemetry: Sendable {
    public let listener: String
    private let telemetry: Telemetry
    /// At `Outcome.allCases` positions.
    private let connections: [Counter]
    /// At `VersionLabel.rawValue`.
    private let handshakes: [Counter]
    private let clientHellos: [Counter]
    /// At `LegacyAction.allCases` positions.
    private let legacyClients: [Counter]
    private let handshakeDuration: Timer
    private let bytesToBackend: Counter
    private let bytesToClient: Counter

    init(listener: String, telemetry: Telemetry) {
        self.listener = listener
        self.telemetry = telemetry
        let name = ("listener", listener)
        connections = Outcome.allCases.map { telemetry.counter(.connections, [name, ("outcome", $0.rawValue)]) }
        handshakes = VersionLabel.allCases.map { telemetry.counter(.handshakes, [name, ("version", $0.value)]) }
        clientHellos = VersionLabel.allCases.map { telemetry.counter(.clientHellos, [name, ("offered_version", $0.value)]) }
        legacyClients = LegacyAction.allCases.map { telemetry.counter(.legacyClients, [name, ("action", $0.rawValue)]) }
        handshakeDuration = telemetry.timer(.handshakeDuration, [name], buckets: Telemetry.handshakeBuckets)
        bytesToBackend = telemetry.counter(.relayedBytes, [name, ("direction", "client_to_backend")])
        bytesToClient = telemetry.counter(.relayedBytes, [name, ("direction", "backend_to_client")])
    }

    /// The counter of failed attempts on one backend of this listener, for
    /// the backend to keep (resolved once, like the rest).
    public func backendConnectFailures(_ backend: String) -> Counter {
        telemetry.counter(.backendConnectFailures, [("listener", listener), ("backend", backend)])
    }

    public func handshakeCompleted(nanoseconds: UInt64) {
        handshakeDuration.recordNanoseconds(Int64(clamping: nanoseconds))
    }

    /// Counts a finished connection as its log record tells it. `offered`
    /// is the highest version of a ClientHello that was read, `negotiated`
    /// that of a completed handshake.
    public func connectionEnded(_ record: ConnectionRecord, offered: TLSProtocolVersion?, negotiated: TLSProtocolVersion?) {
        connections[Outcome.allCases.firstIndex(of: record.outcome)!].increment()
        if let offered { clientHellos[VersionLabel(offered).rawValue].increment() }
        if let negotiated { handshakes[VersionLabel(negotiated).rawValue].increment() }
        if let action = LegacyAction(outcome: record.outcome, legacy: record.legacy) {
            legacyClients[LegacyAction.allCases.firstIndex(of: action)!].increment()
        }
        if record.bytesIn > 0 { bytesToBackend.increment(by: record.bytesIn) }
        if record.bytesOut > 0 { bytesToClient.increment(by: record.bytesOut) }
    }
}
