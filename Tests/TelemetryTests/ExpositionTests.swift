import EventLog
import Testing
import TLS
@testable import Telemetry

/// What a scrape shows after connections end: the counters their records
/// call for, every series present from the start (so `rate()` has a zero
/// to start from), and HELP/TYPE for every family.
@Suite struct ExpositionTests {
    static func record(_ outcome: Outcome, legacy: LegacyMark? = nil) -> ConnectionRecord {
        var record = ConnectionRecord(listener: "imaps", protocol: "imap", tlsMode: "implicit", client: "192.0.2.1:5000")
        record.outcome = outcome
        record.legacy = legacy
        return record
    }

    static func lines(_ telemetry: Telemetry, open: Int = 0) -> Set<String> {
        Set(String(decoding: telemetry.exposition(openConnections: open), as: UTF8.self).split(separator: "\n").map(String.init))
    }

    @Test func aRelayedAndARefusedConnectionAreCounted() {
        let telemetry = Telemetry(version: "9.9.9")
        let imaps = telemetry.listener(named: "imaps")
        _ = imaps.backendConnectFailures("127.0.0.1:143")
        var relayed = Self.record(.relayed)
        relayed.bytesIn = 120
        relayed.bytesOut = 4_000
        imaps.connectionEnded(relayed, offered: .tlsv1_3, negotiated: .tlsv1_3)
        imaps.connectionEnded(Self.record(.tlsVersionRefused, legacy: .yes), offered: .tlsv1_0, negotiated: nil)
        imaps.handshakeCompleted(nanoseconds: 1_500_000)

        let lines = Self.lines(telemetry, open: 3)
        for expected in [
            #"tlsfloor_build_info{version="9.9.9"} 1.0"#,
            "tlsfloor_open_connections 3.0",
            #"tlsfloor_connections_total{listener="imaps",outcome="relayed"} 1"#,
            #"tlsfloor_connections_total{listener="imaps",outcome="tls_version_refused"} 1"#,
            #"tlsfloor_connections_total{listener="imaps",outcome="backend_unavailable"} 0"#,
            #"tlsfloor_tls_handshakes_total{listener="imaps",version="TLSv1.3"} 1"#,
            #"tlsfloor_tls_handshakes_total{listener="imaps",version="TLSv1.0"} 0"#,
            #"tlsfloor_tls_client_hellos_total{listener="imaps",offered_version="TLSv1.0"} 1"#,
            #"tlsfloor_tls_client_hellos_total{listener="imaps",offered_version="TLSv1.3"} 1"#,
            #"tlsfloor_legacy_clients_total{listener="imaps",action="refused"} 1"#,
            #"tlsfloor_legacy_clients_total{listener="imaps",action="allowed"} 0"#,
            #"tlsfloor_relayed_bytes_total{listener="imaps",direction="client_to_backend"} 120"#,
            #"tlsfloor_relayed_bytes_total{listener="imaps",direction="backend_to_client"} 4000"#,
            #"tlsfloor_tls_handshake_duration_seconds_bucket{listener="imaps",le="0.001"} 0"#,
            #"tlsfloor_tls_handshake_duration_seconds_bucket{listener="imaps",le="0.002"} 1"#,
            #"tlsfloor_tls_handshake_duration_seconds_count{listener="imaps"} 1"#,
            #"tlsfloor_reloads_total{outcome="ok"} 0"#,
            #"tlsfloor_backend_connect_failures_total{listener="imaps",backend="127.0.0.1:143"} 0"#,
        ] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
        for family in MetricFamily.all {
            #expect(lines.contains("# TYPE \(family.name) \(family.kind.rawValue)"))
            #expect(lines.contains { $0.hasPrefix("# HELP \(family.name) ") })
        }
    }

    @Test func resolvingAListenerAgainContinuesItsCounters() {
        let telemetry = Telemetry(version: "1")
        telemetry.listener(named: "imaps").connectionEnded(Self.record(.relayed), offered: nil, negotiated: nil)
        telemetry.listener(named: "imaps").connectionEnded(Self.record(.relayed), offered: nil, negotiated: nil)
        telemetry.listener(named: "imaps").backendConnectFailures("127.0.0.1:143").increment()
        telemetry.reloaded(ok: false)
        let lines = Self.lines(telemetry)
        #expect(lines.contains(#"tlsfloor_connections_total{listener="imaps",outcome="relayed"} 2"#))
        #expect(lines.contains(#"tlsfloor_backend_connect_failures_total{listener="imaps",backend="127.0.0.1:143"} 1"#))
        #expect(lines.contains(#"tlsfloor_reloads_total{outcome="refused"} 1"#))
    }

    @Test(arguments: [
        (Outcome.tlsVersionRefused, LegacyMark?.some(.yes), LegacyAction?.some(.refused)),
        (.legacyExplained, .yes, .explained),
        (.legacyRamped, .yes, .ramped),
        (.relayed, .yes, .allowed),
        (.backendUnavailable, .yes, .allowed),
        (.relayed, .exempt, .exempt),
        (.relayed, nil, nil),
        (.handshakeFailed, nil, nil),
    ])
    func legacyActionFollowsTheRecord(outcome: Outcome, legacy: LegacyMark?, action: LegacyAction?) {
        #expect(LegacyAction(outcome: outcome, legacy: legacy) == action)
    }
}
