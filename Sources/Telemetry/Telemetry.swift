import CoreMetrics
import Prometheus

/// The process's metrics: a Prometheus registry behind swift-metrics
/// handles. Everything a connection records is resolved in advance
/// (`listener(named:)`, once per listener and configuration generation), so
/// the workers only increment atomics; the scrape endpoint reads the
/// registry on its own thread.
public final class Telemetry: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    private let openConnections: CoreMetrics.Meter
    private let reloadsOK: CoreMetrics.Counter
    private let reloadsRefused: CoreMetrics.Counter

    /// `tlsfloor_tls_handshake_duration_seconds` buckets: a loopback TLS 1.3
    /// handshake takes about a millisecond, a mobile client's up to seconds.
    static let handshakeBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    public init(version: String) {
        factory = PrometheusMetricsFactory(registry: registry)
        openConnections = Self.meter(.openConnections, [], registry: registry, factory: factory)
        Self.meter(.buildInfo, [("version", version)], registry: registry, factory: factory).set(1)
        reloadsOK = Self.counter(.reloads, [("outcome", "ok")], registry: registry, factory: factory)
        reloadsRefused = Self.counter(.reloads, [("outcome", "refused")], registry: registry, factory: factory)
    }

    /// The handles one listener's connections record into. The registry
    /// hands out the existing series for labels it has seen, so calling
    /// this again after a reload continues the same counters.
    public func listener(named name: String) -> ListenerTelemetry {
        ListenerTelemetry(listener: name, telemetry: self)
    }

    public func reloaded(ok: Bool) {
        (ok ? reloadsOK : reloadsRefused).increment()
    }

    /// The Prometheus text exposition, with the gauges read at this moment.
    public func exposition(openConnections open: Int) -> [UInt8] {
        openConnections.set(open)
        return registry.emitToBuffer()
    }

    func counter(_ family: MetricFamily, _ labels: [(String, String)]) -> CoreMetrics.Counter {
        Self.counter(family, labels, registry: registry, factory: factory)
    }

    func timer(_ family: MetricFamily, _ labels: [(String, String)], buckets: [Duration]) -> CoreMetrics.Timer {
        precondition(family.kind == .histogram && labels.map(\.0) == family.labels, "\(family.name): labels \(labels)")
        let handler = registry.makeDurationHistogram(descriptor: family.descriptor, labels: labels, buckets: buckets)
        return CoreMetrics.Timer(label: family.name, dimensions: labels, handler: handler, factory: factory)
    }

    private static func counter(_ family: MetricFamily, _ labels: [(String, String)], registry: PrometheusCollectorRegistry,
                                factory: PrometheusMetricsFactory) -> CoreMetrics.Counter {
        precondition(family.kind == .counter && labels.map(\.0) == family.labels, "\(family.name): labels \(labels)")
        let handler = registry.makeCounter(descriptor: family.descriptor, labels: labels)
        return CoreMetrics.Counter(label: family.name, dimensions: labels, handler: handler, factory: factory)
    }

    private static func meter(_ family: MetricFamily, _ labels: [(String, String)], registry: PrometheusCollectorRegistry,
                              factory: PrometheusMetricsFactory) -> CoreMetrics.Meter {
        precondition(family.kind == .gauge && labels.map(\.0) == family.labels, "\(family.name): labels \(labels)")
        let handler = labels.isEmpty
            ? registry.makeGauge(descriptor: family.descriptor)
            : registry.makeGauge(descriptor: family.descriptor, labels: labels)
        return CoreMetrics.Meter(label: family.name, dimensions: labels, handler: handler, factory: factory)
    }
}
