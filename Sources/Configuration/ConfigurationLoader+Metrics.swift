/// `[metrics]`, checked against the listeners it must not collide with.
extension Configuration {
    static func parseMetrics(_ reader: TOMLReader?, listeners: [ListenerConfiguration]) throws -> MetricsSettings {
        var metrics = MetricsSettings()
        guard var reader else { return metrics }
        if let text = try reader.string("listen") {
            guard let endpoint = Endpoint(text) else {
                throw reader.error("listen", "\"\(text)\" is not an address (use \"127.0.0.1:9771\", \"[::1]:9771\" or \"unix:/path\")")
            }
            if let listener = listeners.first(where: { $0.listen.overlaps(endpoint) }) {
                throw reader.error("listen", "address \(endpoint) overlaps \(listener.listen) of listener \"\(listener.name)\"")
            }
            metrics.listen = endpoint
        }
        try reader.rejectUnknownKeys()
        return metrics
    }
}
