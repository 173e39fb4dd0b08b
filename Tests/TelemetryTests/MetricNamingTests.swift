import Testing
@testable import Telemetry

/// Names an operator writes queries against: Prometheus conventions, one
/// namespace, units spelled out, no two families alike.
@Suite struct MetricNamingTests {
    /// Prometheus' metric and label name grammar.
    static func isValidName(_ name: String, colons: Bool) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || (colons && $0 == ":")) }
    }

    @Test(arguments: MetricFamily.all)
    func nameFollowsPrometheusConventions(family: MetricFamily) {
        #expect(family.name.hasPrefix("tlsfloor_"))
        #expect(Self.isValidName(family.name, colons: true))
        #expect(!family.help.isEmpty)
        switch family.kind {
        case .counter: #expect(family.name.hasSuffix("_total"))
        case .histogram: #expect(family.name.hasSuffix("_seconds"))
        case .gauge: #expect(!family.name.hasSuffix("_total"))
        }
        for label in family.labels {
            #expect(Self.isValidName(label, colons: false))
            #expect(!label.hasPrefix("__"))
        }
    }

    @Test func theExportedNames() {
        #expect(MetricFamily.all.map(\.name) == [
            "tlsfloor_build_info", "tlsfloor_open_connections", "tlsfloor_connections_total",
            "tlsfloor_tls_handshakes_total", "tlsfloor_tls_client_hellos_total", "tlsfloor_legacy_clients_total",
            "tlsfloor_tls_handshake_duration_seconds", "tlsfloor_backend_connect_failures_total",
            "tlsfloor_relayed_bytes_total", "tlsfloor_reloads_total",
        ])
        #expect(Set(MetricFamily.all.map(\.name)).count == MetricFamily.all.count)
    }

    @Test func versionLabelsUseTheLogSpellingAndACatchAll() {
        #expect(VersionLabel.allCases.map(\.value) == ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3", "other"])
        #expect(VersionLabel(.init(rawValue: 0x0A0A)) == .other)
        #expect(VersionLabel(.tlsv1_3) == .tlsv1_3)
        // The raw values index the pre-resolved counters.
        #expect(VersionLabel.allCases.map(\.rawValue) == Array(0..<VersionLabel.allCases.count))
    }
}
