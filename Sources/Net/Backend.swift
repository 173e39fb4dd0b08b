import Configuration
import CoreMetrics
import Synchronization

/// A backend mail server and its recent health. A backend that refused or
/// timed out is skipped for a short while so that every client does not
/// pay the connect timeout again; if all are marked down they are tried
/// anyway — a stale mark must never make things worse.
final class Backend: Sendable {
    let endpoint: Endpoint
    /// `endpoint` as the log shows it, formatted once rather than per connection.
    let name: String
    let addresses: [SocketAddress]
    /// `tlsfloor_backend_connect_failures_total` for this backend and listener, when metrics are on.
    let connectFailures: CoreMetrics.Counter?
    /// Uptime in ms until which this backend counts as down.
    private let downUntil = Atomic<UInt64>(0)

    static let markDownPeriodMilliseconds: UInt64 = 10_000

    init(endpoint: Endpoint, connectFailures: CoreMetrics.Counter? = nil) throws {
        self.endpoint = endpoint
        name = endpoint.description
        self.connectFailures = connectFailures
        self.addresses = try SocketAddress.resolve(endpoint, passive: false)
    }

    func isMarkedDown(now: UInt64) -> Bool { downUntil.load(ordering: .relaxed) > now }

    /// An attempt failed: skip this backend for a while, and count the failure.
    func markDown(now: UInt64) {
        downUntil.store(now + Self.markDownPeriodMilliseconds, ordering: .relaxed)
        connectFailures?.increment()
    }

    func markUp() {
        if downUntil.load(ordering: .relaxed) != 0 { downUntil.store(0, ordering: .relaxed) }
    }

    /// The order to try backends in: healthy ones first, in configured
    /// order. Each backend's mark is read once, so another worker marking
    /// one up or down meanwhile cannot make it appear twice or not at all.
    static func attemptOrder(_ backends: [Backend], now: UInt64) -> [Backend] {
        let down = backends.map { $0.isMarkedDown(now: now) }
        return zip(backends, down).filter { !$0.1 }.map(\.0) + zip(backends, down).filter { $0.1 }.map(\.0)
    }
}
