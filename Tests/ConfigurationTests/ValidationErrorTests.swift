import Foundation
import Testing
@testable import Configuration

/// Every mistake is reported as `FILE: KEY: REASON` with the key an operator
/// has to change — never a crash, never a silent default.
@Suite struct ValidationErrorTests {
    /// `minimalConfiguration` with one line replaced.
    static func replacing(_ line: String, with replacement: String) -> String {
        precondition(minimalConfiguration.contains(line), "test setup: no line \(line)")
        return minimalConfiguration.replacingOccurrences(of: line, with: replacement)
    }

    @Test func descriptionIsFileKeyReason() {
        #expect(ConfigurationError(file: "/etc/t.toml", key: "tls.certificate", reason: "required key is missing").description
                == "/etc/t.toml: tls.certificate: required key is missing")
        #expect(ConfigurationError(file: "/etc/t.toml", key: "", reason: "cannot read file: no such file").description
                == "/etc/t.toml: cannot read file: no such file")
    }

    // MARK: Unknown keys (typos must not fall back to a default)

    @Test(arguments: [
        ("bogus = 1\n" + minimalConfiguration, "bogus"),
        (minimalConfiguration + "[limit]\nmax_connections = 5\n", "limit"),
        (minimalConfiguration.replacingOccurrences(of: "[tls]\n", with: "[tls]\ncipher = \"x\"\n"), "tls.cipher"),
        (minimalConfiguration + "[limits]\nidle = \"5m\"\n", "limits.idle"),
        (minimalConfiguration + "[log]\nfile = \"/var/log/x\"\n", "log.file"),
        (minimalConfiguration + "[server]\nhost = \"x\"\n", "server.host"),
        (minimalConfiguration + "[legacy]\nenforce = \"2023-09-30T00:00:00Z\"\n", "legacy.enforce"),
        (minimalConfiguration + secondListener + "port = 995\n", "listener[2].port"),
        (minimalConfiguration + "legacy = { acton = \"explain\" }\n", "listener[1].legacy.acton"),
    ])
    func unknownKeyIsNamedWithItsPath(text: String, key: String) {
        let error = rejection(text)
        #expect(error?.key == key)
        #expect(error?.reason == "unknown key")
        #expect(error?.file == "test.toml")
    }

    // MARK: Listeners

    @Test func unknownProtocolNamesTheListenerByPosition() {
        let text = minimalConfiguration + secondListener.replacingOccurrences(of: "\"pop3\"", with: "\"pop\"")
        let error = rejection(text)
        #expect(error?.key == "listener[2].protocol")
        #expect(error?.reason == "\"pop\" is not one of \"imap\", \"pop3\", \"smtp\"")
    }

    @Test func missingProtocol() {
        let error = rejection(Self.replacing("protocol = \"imap\"\n", with: ""))
        #expect(error?.key == "listener[1].protocol")
        #expect(error?.reason.contains("required") == true)
    }

    @Test func duplicateListenAddress() {
        let text = minimalConfiguration + secondListener.replacingOccurrences(of: "[::]:995", with: "[::]:993")
        let error = rejection(text)
        #expect(error?.key == "listener[2].listen")
        #expect(error?.reason == "address [::]:993 is used by another listener")
    }

    /// `check` must refuse what the kernel no longer does with SO_REUSEPORT.
    @Test func wildcardAddressesOfBothFamiliesOnOnePortOverlap() {
        let text = Self.replacing("[::]:993", with: "0.0.0.0:993")
            + secondListener.replacingOccurrences(of: "[::]:995", with: "[::]:993")
        let error = rejection(text)
        #expect(error?.key == "listener[2].listen")
        #expect(error?.reason.hasPrefix("address [::]:993 overlaps 0.0.0.0:993 of listener \"imaps\"") == true)
    }

    @Test func duplicateUnixListenAddressInEitherSpelling() {
        let text = Self.replacing("[::]:993", with: "unix:/run/tlsfloor/imaps")
            + secondListener.replacingOccurrences(of: "[::]:995", with: "/run/tlsfloor/imaps")
        #expect(rejection(text)?.key == "listener[2].listen")
    }

    @Test func duplicateName() {
        let text = minimalConfiguration + secondListener.replacingOccurrences(of: "\"pop3s\"", with: "\"imaps\"")
        let error = rejection(text)
        #expect(error?.key == "listener[2].name")
        #expect(error?.reason == "listener name \"imaps\" is used twice")
    }

    @Test(arguments: ["", "imap s", "imaps.socket", String(repeating: "a", count: 65)])
    func badListenerName(name: String) {
        #expect(rejection(Self.replacing("name = \"imaps\"", with: "name = \"\(name)\""))?.key == "listener[1].name")
    }

    @Test func atLeastOneListener() {
        let text = minimalConfiguration.components(separatedBy: "[[listener]]")[0]
        let error = rejection(text)
        #expect(error?.key == "listener")
        #expect(error?.reason == "at least one [[listener]] is required")
    }

    @Test func listenerMustBeAnArrayOfTables() {
        let error = rejection(Self.replacing("[[listener]]", with: "[listener]"))
        #expect(error?.key == "listener")
        #expect(error?.reason == "expected an array of tables ([[listener]])")
    }

    @Test(arguments: ["993", "::1:993", "[::1]993", "[127.0.0.1]:993", "host:0", "host:65536", ":993", "unix:run/x"])
    func badListenAddress(listen: String) {
        let error = rejection(Self.replacing("listen = \"[::]:993\"", with: "listen = \"\(listen)\""))
        #expect(error?.key == "listener[1].listen")
        #expect(error?.reason.hasPrefix("\"\(listen)\" is not an address") == true)
    }

    @Test(arguments: [
        ("backend = \"imap.internal\"", "\"imap.internal\" is not an address (use \"127.0.0.1:143\" or \"unix:/path\")"),
        ("backend = [\"127.0.0.1:143\", \"::1:143\"]", "\"::1:143\" is not an address (use \"127.0.0.1:143\" or \"unix:/path\")"),
        ("backend = []", "required key is missing"),
        ("backend = 143", "expected a string or an array of strings"),
        ("backend = [\"127.0.0.1:143\", 143]", "expected an array of strings"),
    ])
    func badBackend(line: String, reason: String) {
        let error = rejection(Self.replacing("backend = \"127.0.0.1:10143\"", with: line))
        #expect(error?.key == "listener[1].backend")
        #expect(error?.reason == reason)
    }

    @Test func missingBackend() {
        #expect(rejection(Self.replacing("backend = \"127.0.0.1:10143\"\n", with: ""))?.key == "listener[1].backend")
    }

    @Test(arguments: [
        ("tls = \"ssl\"", "listener[1].tls"),
        ("min_version = \"1.1\"", "listener[1].min_version"),
        ("proxy_protocol = \"v3\"", "listener[1].proxy_protocol"),
        ("proxy_protocol = true", "listener[1].proxy_protocol"),
        ("accept_proxy_protocol = \"yes\"", "listener[1].accept_proxy_protocol"),
        ("hostname = \"-mail.example.org\"", "listener[1].hostname"),
        ("hostname = \"mail_1.example.org\"", "listener[1].hostname"),
        ("legacy = { action = \"deny\" }", "listener[1].legacy.action"),
        ("legacy = \"explain\"", "listener[1].legacy"),
    ])
    func badListenerValue(line: String, key: String) {
        #expect(rejection(minimalConfiguration + line + "\n")?.key == key)
    }

    @Test func acceptProxyProtocolNeedsTrustedProxies() {
        for extra in ["accept_proxy_protocol = true\n", "accept_proxy_protocol = true\ntrusted_proxies = []\n"] {
            let error = rejection(minimalConfiguration + extra)
            #expect(error?.key == "listener[1].trusted_proxies")
            #expect(error?.reason == "accept_proxy_protocol = true needs the addresses of the trusted fronts")
        }
    }

    // MARK: [server], [tls], [limits], [log]

    @Test func tlsTableAndItsFilesAreRequired() {
        let withoutTLS = minimalConfiguration.components(separatedBy: "[[listener]]")[1]
        #expect(rejection("[[listener]]" + withoutTLS)?.key == "tls")
        #expect(rejection(Self.replacing("certificate = \"/etc/tlsfloor/fullchain.pem\"\n", with: ""))?.key == "tls.certificate")
        #expect(rejection(Self.replacing("private_key = \"/etc/tlsfloor/privkey.pem\"\n", with: ""))?.key == "tls.private_key")
    }

    @Test(arguments: [
        ("min_version = \"1.0\"", "tls.min_version", "\"1.0\" is not one of \"1.2\", \"1.3\""),
        ("min_version = 1.2", "tls.min_version", "expected a string, found floating-point number"),
        ("ciphers = \" \"", "tls.ciphers", "must not be empty"),
        ("ciphersuites = \"\"", "tls.ciphersuites", "must not be empty"),
        ("groups = \"\"", "tls.groups", "must not be empty"),
        ("session_tickets = \"no\"", "tls.session_tickets", "expected true or false, found string"),
    ])
    func badTLSValue(line: String, key: String, reason: String) {
        let error = rejection(Self.replacing("[tls]\n", with: "[tls]\n\(line)\n"))
        #expect(error?.key == key)
        #expect(error?.reason == reason)
    }

    @Test(arguments: [
        ("[server]\nthreads = 257", "server.threads"),
        ("[server]\nthreads = -1", "server.threads"),
        ("[server]\nthreads = \"4\"", "server.threads"),
        ("[server]\nlinger = \"101ms\"", "server.linger"),
        ("[server]\nlinger = \"soon\"", "server.linger"),
        ("[server]\nlinger = 1", "server.linger"),
        ("[server]\nhostname = \"mail..example.org\"", "server.hostname"),
        ("[server]\nhostname = \"\"", "server.hostname"),
        ("[limits]\nmax_connections = 0", "limits.max_connections"),
        ("[log]\ntarget = \"syslog\"", "log.target"),
        ("[log]\nlevel = \"trace\"", "log.level"),
        ("server = 1", "server"),
    ])
    func badGlobalValue(table: String, key: String) {
        let text = table.hasPrefix("[") ? minimalConfiguration + table + "\n" : table + "\n" + minimalConfiguration
        #expect(rejection(text)?.key == key)
    }

    @Test(arguments: ["handshake_timeout", "idle_timeout", "backend_connect_timeout", "shutdown_grace"])
    func badDuration(key: String) {
        for value in ["\"10\"", "\"10 s\"", "\"-5s\"", "\"ten seconds\"", "\"5d\""] {
            let error = rejection(minimalConfiguration + "[limits]\n\(key) = \(value)\n")
            #expect(error?.key == "limits.\(key)")
            #expect(error?.reason.contains("is not a duration") == true)
        }
        #expect(rejection(minimalConfiguration + "[limits]\n\(key) = 10\n")?.reason == "expected a string, found integer")
    }

    @Test(arguments: ["handshake_timeout", "idle_timeout", "backend_connect_timeout"])
    func zeroTimeoutIsRefused(key: String) {
        let error = rejection(minimalConfiguration + "[limits]\n\(key) = \"0s\"\n")
        #expect(error?.key == "limits.\(key)")
        #expect(error?.reason == "must be longer than zero")
    }

    @Test(arguments: [
        ("\"1KiB\"", "must be at least 16KiB (one TLS record)"),
        ("16383", "must be at least 16KiB (one TLS record)"),
        ("\"256kb\"", "expected a size such as \"256KiB\" or \"4MiB\""),
        ("-1", "expected a size such as \"256KiB\" or \"4MiB\""),
        ("\"99999999999GiB\"", "expected a size such as \"256KiB\" or \"4MiB\""),
        ("1.5", "expected a size such as \"256KiB\" or \"4MiB\""),
    ])
    func badBufferLimit(value: String, reason: String) {
        let error = rejection(minimalConfiguration + "[limits]\nbuffer_limit = \(value)\n")
        #expect(error?.key == "limits.buffer_limit")
        #expect(error?.reason == reason)
    }

    // MARK: File and syntax

    @Test func tomlSyntaxErrorGivesTheLine() {
        let text = "[tls]\ncertificate = \"/a\"\nprivate_key = /b\n"
        let error = rejection(text)
        #expect(error?.key == "")
        #expect(error?.reason.hasPrefix("TOML syntax error at line 3, column ") == true)
        #expect(error?.description.hasPrefix("test.toml: TOML syntax error at line 3") == true)
    }

    @Test func duplicateTOMLKeyIsASyntaxError() {
        let error = rejection(Self.replacing("[tls]\n", with: "[tls]\nmin_version = \"1.2\"\nmin_version = \"1.3\"\n"))
        #expect(error?.key == "")
        #expect(error?.reason.hasPrefix("TOML syntax error at line 3") == true)
    }

    @Test func missingFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tlsfloor-absent-\(UUID()).toml").path
        #expect(throws: ConfigurationError(file: path, key: "", reason: "cannot read file: no such file")) {
            try Configuration.load(path: path)
        }
    }

    @Test(arguments: ["\"\"", "\"mail user\"", "\"../root\"", "\"a:b\""])
    func serverUserMustBeAName(value: String) {
        let error = rejection(minimalConfiguration + "[server]\nuser = \(value)\n")
        #expect(error?.key == "server.user")
    }

    @Test func serverUserIsKeptAsWritten() throws {
        #expect(try parse(minimalConfiguration + "[server]\nuser = \"tlsfloor\"\n").server.user == "tlsfloor")
    }
}
