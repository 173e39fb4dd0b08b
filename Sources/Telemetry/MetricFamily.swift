import Prometheus

/// Every metric tlsfloord exports: its name, type and help text, in one
/// table so docs/operations.md and the tests can check them all. Names
/// follow Prometheus conventions: the `tlsfloor_` namespace, `_total` on
/// counters, the base unit (`_seconds`, `_bytes`) before it.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// Without the namespace: `connections`.
    public let metricName: String
    /// `total`, `seconds`, `bytes_total`, `info` or empty.
    public let unit: String
    public let kind: Kind
    public let labels: [String]
    public let help: String

    public static let namespace = "tlsfloor"

    /// The exported name: `tlsfloor_connections_total`.
    public var name: String { descriptor.name }

    var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(namespace: Self.namespace, metricName: metricName, unitName: unit, helpText: help)
    }

    public static let buildInfo = MetricFamily(
        metricName: "build", unit: "info", kind: .gauge, labels: ["version"],
        help: "Always 1; the version label says which tlsfloord is running.")
    public static let openConnections = MetricFamily(
        metricName: "open_connections", unit: "", kind: .gauge, labels: [],
        help: "Client connections open now, all listeners.")
    public static let connections = MetricFamily(
        metricName: "connections", unit: "total", kind: .counter, labels: ["listener", "outcome"],
        help: "Client connections ended, by listener and outcome (the outcome= of the log line).")
    public static let handshakes = MetricFamily(
        metricName: "tls_handshakes", unit: "total", kind: .counter, labels: ["listener", "version"],
        help: "Completed TLS handshakes by negotiated protocol version.")
    public static let clientHellos = MetricFamily(
        metricName: "tls_client_hellos", unit: "total", kind: .counter, labels: ["listener", "offered_version"],
        help: "Clients whose ClientHello was read, by the highest TLS version they offered.")
    public static let legacyClients = MetricFamily(
        metricName: "legacy_clients", unit: "total", kind: .counter, labels: ["listener", "action"],
        help: "Clients below the TLS floor, by what happened to them (refused, explained, ramped, allowed, exempt).")
    public static let handshakeDuration = MetricFamily(
        metricName: "tls_handshake_duration", unit: "seconds", kind: .histogram, labels: ["listener"],
        help: "Time from the start of TLS (accept, or the STARTTLS go-ahead) to the completed handshake.")
    public static let backendConnectFailures = MetricFamily(
        metricName: "backend_connect_failures", unit: "total", kind: .counter, labels: ["listener", "backend"],
        help: "Failed backend attempts: refused, timed out, or closed or silent before its greeting.")
    public static let relayedBytes = MetricFamily(
        metricName: "relayed", unit: "bytes_total", kind: .counter, labels: ["listener", "direction"],
        help: "Plaintext bytes relayed, counted when the connection ends.")
    public static let reloads = MetricFamily(
        metricName: "reloads", unit: "total", kind: .counter, labels: ["outcome"],
        help: "Configuration reloads (SIGHUP) by outcome: ok or refused.")

    public static let all: [MetricFamily] = [
        buildInfo, openConnections, connections, handshakes, clientHellos, legacyClients, handshakeDuration,
        backendConnectFailures, relayedBytes, reloads,
    ]
}
