/// `[metrics]`: where Prometheus scrapes tlsfloord. Off unless `listen` is
/// set: the endpoint answers anyone who can reach it, so the operator
/// chooses the address (loopback or a Unix socket, as a rule).
public struct MetricsSettings: Equatable, Sendable {
    /// TCP address or Unix socket path serving `GET /metrics`; nil: no endpoint, no recording.
    public var listen: Endpoint?

    public init(listen: Endpoint? = nil) {
        self.listen = listen
    }
}
