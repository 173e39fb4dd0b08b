import Testing
@testable import Configuration

/// `[metrics]`: off unless asked for; the address checked like a listener's.
@Suite struct MetricsSettingsTests {
    @Test func offByDefault() throws {
        #expect(try parse(minimalConfiguration).metrics.listen == nil)
        #expect(try parse(minimalConfiguration + "[metrics]\n").metrics.listen == nil)
    }

    @Test(arguments: [
        ("127.0.0.1:9771", Endpoint.tcp(host: "127.0.0.1", port: 9771)),
        ("[::1]:9771", .tcp(host: "::1", port: 9771)),
        ("unix:/run/tlsfloor/metrics.sock", .unix(path: "/run/tlsfloor/metrics.sock")),
    ])
    func listenTakesAnAddressOrASocketPath(text: String, endpoint: Endpoint) throws {
        let configuration = try parse(minimalConfiguration + "[metrics]\nlisten = \"\(text)\"\n")
        #expect(configuration.metrics.listen == endpoint)
    }

    @Test(arguments: [
        ("listen = \"9771\"", "metrics.listen", "\"9771\" is not an address"),
        ("listen = \"localhost\"", "metrics.listen", "\"localhost\" is not an address"),
        ("listen = 9771", "metrics.listen", "expected a string"),
        ("listen = \"[::]:993\"", "metrics.listen", "overlaps [::]:993 of listener \"imaps\""),
        ("listen = \"127.0.0.1:993\"", "metrics.listen", "overlaps [::]:993 of listener \"imaps\""),
        ("path = \"/metrics\"", "metrics.path", "unknown key"),
    ])
    func mistakesNameTheKey(line: String, key: String, reason: String) {
        let error = rejection(minimalConfiguration + "[metrics]\n\(line)\n")
        #expect(error?.key == key)
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "-")")
    }
}
