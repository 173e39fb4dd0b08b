import Testing
@testable import Configuration

/// `listen` and `backend` addresses, and how logs and errors spell them.
@Suite struct EndpointTests {
    @Test(arguments: [
        ("127.0.0.1:993", Endpoint.tcp(host: "127.0.0.1", port: 993), "127.0.0.1:993"),
        ("[::]:993", .tcp(host: "::", port: 993), "[::]:993"),
        ("[2001:db8::1]:143", .tcp(host: "2001:db8::1", port: 143), "[2001:db8::1]:143"),
        ("mail.internal:10587", .tcp(host: "mail.internal", port: 10587), "mail.internal:10587"),
        ("localhost:65535", .tcp(host: "localhost", port: 65535), "localhost:65535"),
        ("unix:/run/dovecot/imap", .unix(path: "/run/dovecot/imap"), "unix:/run/dovecot/imap"),
        ("/run/dovecot/imap", .unix(path: "/run/dovecot/imap"), "unix:/run/dovecot/imap"),
    ])
    func parsesAndDescribes(text: String, endpoint: Endpoint, description: String) {
        #expect(Endpoint(text) == endpoint)
        #expect(endpoint.description == description)
    }

    @Test(arguments: [
        "127.0.0.1:993", "[::]:993", "[::ffff:192.0.2.1]:465", "imap.example.org:143", "unix:/run/x.sock",
    ])
    func descriptionParsesBackToTheSameEndpoint(text: String) throws {
        let endpoint = try #require(Endpoint(text))
        #expect(Endpoint(endpoint.description) == endpoint)
        #expect(endpoint.description == text)
    }

    @Test(arguments: [
        "", "993", "127.0.0.1", "127.0.0.1:", ":993", "::1:993", "[::1]", "[::1]993", "[::1:993",
        "[127.0.0.1]:993", "[]:993", "host:0", "host:65536", "host:-1", "host:99999999999999999999",
        "host:port", "unix:", "unix:relative/path", "relative/path",
    ])
    func rejects(text: String) {
        #expect(Endpoint(text) == nil)
    }

    // Listeners bind SO_REUSEPORT sockets, so the kernel does not refuse these: the configuration must.
    @Test(arguments: [
        ("0.0.0.0:993", "[::]:993", true),
        ("[::]:993", "127.0.0.1:993", true),
        ("0.0.0.0:993", "192.0.2.1:993", true),
        ("0.0.0.0:993", "mail.internal:993", true),
        ("[::]:993", "[2001:db8::1]:993", true),
        ("127.0.0.1:993", "127.0.0.1:993", true),
        ("0.0.0.0:993", "[::1]:993", false),
        ("127.0.0.1:993", "127.0.0.2:993", false),
        ("[::]:993", "[::]:995", false),
        ("0.0.0.0:993", "unix:/run/x.sock", false),
        ("unix:/run/x.sock", "/run/x.sock", true),
    ])
    func overlapIsSymmetric(first: String, second: String, overlaps: Bool) throws {
        let a = try #require(Endpoint(first)), b = try #require(Endpoint(second))
        #expect(a.overlaps(b) == overlaps)
        #expect(b.overlaps(a) == overlaps)
    }
}
