import Foundation
import Mail
import TOMLKit

extension Configuration {
    /// Reads and validates the file at `path`. Touches no socket; does not
    /// load certificates (the TLS module checks those).
    public static func load(path: String) throws -> Configuration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, key: "", reason: "cannot read file: \(Self.readFailure(path))")
        }
        return try parse(text, file: path)
    }

    /// Parses configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> Configuration {
        var abortCheck = TOMLAbortCheck(text)
        if let finding = abortCheck.firstFinding() {
            throw ConfigurationError(file: file, key: "",
                                     reason: "TOML syntax error at line \(finding.line), column \(finding.column): \(finding.reason)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, key: "",
                                     reason: "TOML syntax error at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        var root = TOMLReader(file: file, path: "", table: table)
        let server = try parseServer(root.table("server"), file: file)
        let tls = try parseTLS(root.table("tls"), file: file)
        let limits = try parseLimits(root.table("limits"))
        let log = try parseLog(root.table("log"))
        let legacy = try parseLegacy(root.table("legacy"), inheriting: LegacyPolicySettings())
        let abuse = try parseAbuse(root.table("abuse"))
        let listenerTables = try root.tables("listener")
        let metricsTable = try root.table("metrics")
        let history = try parseHistory(root.table("history"))
        try root.rejectUnknownKeys()

        guard !listenerTables.isEmpty else {
            throw ConfigurationError(file: file, key: "listener", reason: "at least one [[listener]] is required")
        }
        var listeners: [ListenerConfiguration] = []
        for var reader in listenerTables {
            let listener = try parseListener(&reader, tls: tls, server: server, legacy: legacy)
            try reader.rejectUnknownKeys()
            if listeners.contains(where: { $0.name == listener.name }) {
                throw reader.error("name", "listener name \"\(listener.name)\" is used twice")
            }
            if let other = listeners.first(where: { $0.listen.overlaps(listener.listen) }) {
                throw reader.error("listen", other.listen == listener.listen
                    ? "address \(listener.listen) is used by another listener"
                    : "address \(listener.listen) overlaps \(other.listen) of listener \"\(other.name)\" "
                        + "([::] takes IPv4 too; give each listener its own port or specific addresses)")
            }
            listeners.append(listener)
        }
        return Configuration(path: file, server: server, tls: tls, limits: limits, log: log,
                             legacy: legacy, listeners: listeners, abuse: abuse,
                             metrics: try parseMetrics(metricsTable, listeners: listeners), history: history)
    }

    private static func parseServer(_ reader: TOMLReader?, file: String) throws -> ServerSettings {
        var server = ServerSettings(hostname: localHostName())
        guard var reader else { return server }
        if let hostname = try reader.string("hostname") {
            guard isValidHostname(hostname) else { throw reader.error("hostname", "\"\(hostname)\" is not a valid host name") }
            server.hostname = hostname
        }
        if let threads = try reader.int("threads") {
            guard (0...256).contains(threads) else { throw reader.error("threads", "must be between 0 (one per core) and 256") }
            server.threads = threads
        }
        if let linger = try reader.duration("linger") {
            guard linger <= .milliseconds(100) else { throw reader.error("linger", "must be at most 100ms (it delays nothing, but holds a thread)") }
            server.linger = linger
        }
        if let user = try reader.string("user") {
            // Whether the account exists is the system's business: `check` and start-up ask it.
            guard !user.isEmpty, !user.contains(where: { $0.isWhitespace || $0 == "/" || $0 == ":" }) else {
                throw reader.error("user", "\"\(user)\" is not a user name")
            }
            server.user = user
        }
        try reader.rejectUnknownKeys()
        return server
    }

    private static func parseTLS(_ reader: TOMLReader?, file: String) throws -> TLSSettings {
        guard var reader else {
            throw ConfigurationError(file: file, key: "tls", reason: "the [tls] table with certificate and private_key is required")
        }
        var tls = TLSSettings(certificate: try reader.requiredString("certificate"),
                              privateKey: try reader.requiredString("private_key"))
        tls.minVersion = try reader.enumeration("min_version", TLSFloor.self, allowed: [.tls12, .tls13]) ?? tls.minVersion
        tls.ciphers = try nonEmpty(reader.string("ciphers"), "ciphers", reader) ?? tls.ciphers
        tls.ciphersuites = try nonEmpty(reader.string("ciphersuites"), "ciphersuites", reader) ?? tls.ciphersuites
        tls.groups = try nonEmpty(reader.string("groups"), "groups", reader) ?? tls.groups
        tls.sessionTickets = try reader.bool("session_tickets") ?? tls.sessionTickets
        tls.ocspResponse = try nonEmpty(reader.string("ocsp_response"), "ocsp_response", reader)
        tls.ticketKeys = try nonEmpty(reader.string("ticket_keys"), "ticket_keys", reader)
        if tls.ticketKeys != nil && !tls.sessionTickets {
            throw reader.error("ticket_keys", "session_tickets = false turns tickets off; remove one of the two")
        }
        tls.certificates = try reader.tables("certificates").map { entry in
            var entry = entry
            let certificate = try parseCertificate(&entry)
            try entry.rejectUnknownKeys()
            return certificate
        }
        try reader.rejectUnknownKeys()
        return tls
    }

    private static func parseLimits(_ reader: TOMLReader?) throws -> Limits {
        var limits = Limits()
        guard var reader else { return limits }
        if let max = try reader.int("max_connections") {
            guard max > 0 else { throw reader.error("max_connections", "must be at least 1") }
            limits.maxConnections = max
        }
        limits.handshakeTimeout = try positive(reader.duration("handshake_timeout"), "handshake_timeout", reader) ?? limits.handshakeTimeout
        limits.idleTimeout = try positive(reader.duration("idle_timeout"), "idle_timeout", reader) ?? limits.idleTimeout
        limits.backendConnectTimeout = try positive(reader.duration("backend_connect_timeout"), "backend_connect_timeout", reader)
            ?? limits.backendConnectTimeout
        limits.shutdownGrace = try reader.duration("shutdown_grace") ?? limits.shutdownGrace
        if let size = try reader.byteSize("buffer_limit") {
            guard size >= 16 * 1024 else { throw reader.error("buffer_limit", "must be at least 16KiB (one TLS record)") }
            limits.bufferLimit = size
        }
        limits.perClient = try parseClientLimits(&reader)
        try reader.rejectUnknownKeys()
        return limits
    }

    private static func parseLog(_ reader: TOMLReader?) throws -> LogSettings {
        var log = LogSettings()
        guard var reader else { return log }
        log.target = try reader.enumeration("target", LogSettings.Target.self, allowed: [.auto, .stderr, .journal]) ?? log.target
        log.level = try reader.enumeration("level", LogSettings.Level.self,
                                           allowed: [.debug, .info, .notice, .warning, .error]) ?? log.level
        try reader.rejectUnknownKeys()
        return log
    }

    private static func parseLegacy(_ reader: TOMLReader?, inheriting base: LegacyPolicySettings) throws -> LegacyPolicySettings {
        var legacy = base
        guard var reader else { return legacy }
        legacy.action = try reader.enumeration("action", LegacyPolicySettings.Action.self,
                                               allowed: [.reject, .explain, .allow]) ?? legacy.action
        let enforceAfter = try reader.raw("enforce_after").map { try parseInstant($0, key: "enforce_after", reader) }
        legacy.exemptNetworks = try reader.networks("exempt_networks") ?? legacy.exemptNetworks
        let listed = try reader.strings("exempt_users")
        let fromFile = try reader.string("exempt_users_file").map { try exemptUsers(inFile: $0, reader) }
        if listed != nil || fromFile != nil {
            legacy.exemptUsers = (listed ?? []) + (fromFile ?? [])
            guard legacy.exemptUsers.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
                throw reader.error(listed == nil ? "exempt_users_file" : "exempt_users", "a login must not be empty or contain spaces")
            }
        }
        let rampStart = try reader.raw("ramp_start").map { try parseInstant($0, key: "ramp_start", reader) }
        let rampEnd = try reader.raw("ramp_end").map { try parseInstant($0, key: "ramp_end", reader) }
        var ramp: LegacyPolicySettings.Ramp?
        switch (rampStart, rampEnd) {
        case (nil, nil):
            break
        case let (start?, end?):
            guard let valid = LegacyPolicySettings.Ramp(start: start, end: end) else {
                throw reader.error("ramp_end", "must be later than ramp_start")
            }
            ramp = valid
        case (nil, _):
            throw reader.error("ramp_start", "a ramp needs both ramp_start and ramp_end")
        case (_, nil):
            throw reader.error("ramp_end", "a ramp needs both ramp_start and ramp_end")
        }
        // Both say when `action` starts to apply: one table sets one of them,
        // and replaces the other where it inherited it.
        switch (enforceAfter, ramp) {
        case (_?, _?):
            throw reader.error("enforce_after", "use either enforce_after or a ramp (ramp_end is the ramp's enforcement instant)")
        case (let instant?, nil):
            legacy.enforceAfter = instant
            legacy.ramp = nil
        case (nil, let ramp?):
            legacy.ramp = ramp
            legacy.enforceAfter = nil
        case (nil, nil):
            break
        }
        if let message = try reader.string("message") {
            guard !message.isEmpty, message.count <= 400 else { throw reader.error("message", "must be 1 to 400 characters") }
            guard !message.contains(where: { $0.isNewline }) else { throw reader.error("message", "must be a single line") }
            guard message.allSatisfy({ $0.isASCII }) else {
                throw reader.error("message", "must be ASCII: IMAP, POP3 and SMTP replies are 7-bit text")
            }
            legacy.message = message
        }
        try reader.rejectUnknownKeys()
        return legacy
    }

    /// One login per line; blank lines and `#` comments are skipped. Read at
    /// every load, so a reload picks up an edited file.
    private static func exemptUsers(inFile path: String, _ reader: TOMLReader) throws -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw reader.error("exempt_users_file", "cannot read \(path): \((error as NSError).localizedDescription)")
        }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    private static func parseListener(_ reader: inout TOMLReader, tls: TLSSettings, server: ServerSettings,
                                      legacy: LegacyPolicySettings) throws -> ListenerConfiguration {
        let name = try reader.requiredString("name")
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw reader.error("name", "\"\(name)\" must be 1 to 64 letters, digits, '-' or '_'")
        }
        guard let proto = try reader.enumeration("protocol", MailProtocol.self, allowed: MailProtocol.allCases) else {
            throw reader.error("protocol", "required key is missing (imap, pop3 or smtp)")
        }
        let mode = try reader.enumeration("tls", ListenerConfiguration.TLSMode.self, allowed: [.implicit, .starttls]) ?? .implicit
        let listenText = try reader.requiredString("listen")
        guard let listen = Endpoint(listenText) else {
            throw reader.error("listen", "\"\(listenText)\" is not an address (use \"127.0.0.1:993\", \"[::]:993\" or \"unix:/path\")")
        }
        guard let backendTexts = try reader.strings("backend"), !backendTexts.isEmpty else {
            throw reader.error("backend", "required key is missing")
        }
        let backends = try backendTexts.map { text in
            guard let endpoint = Endpoint(text) else {
                throw reader.error("backend", "\"\(text)\" is not an address (use \"127.0.0.1:143\" or \"unix:/path\")")
            }
            return endpoint
        }
        var hostname = server.hostname
        if let override = try reader.string("hostname") {
            guard isValidHostname(override) else { throw reader.error("hostname", "\"\(override)\" is not a valid host name") }
            hostname = override
        }
        var listener = ListenerConfiguration(
            name: name, protocol: proto, tls: mode, listen: listen, backends: backends,
            minVersion: try reader.enumeration("min_version", TLSFloor.self, allowed: [.tls12, .tls13]) ?? tls.minVersion,
            hostname: hostname,
            legacy: try parseLegacy(reader.table("legacy"), inheriting: legacy))
        listener.proxyProtocol = try reader.enumeration("proxy_protocol", ListenerConfiguration.ProxyProtocolVersion.self,
                                                        allowed: [.off, .v1, .v2]) ?? .off
        listener.acceptProxyProtocol = try reader.bool("accept_proxy_protocol") ?? false
        listener.trustedProxies = try reader.networks("trusted_proxies") ?? []
        if let name = try reader.string("default_certificate") {
            listener.defaultCertificate = try certificateName(name, key: "default_certificate", reader)
        }
        if listener.acceptProxyProtocol && listener.trustedProxies.isEmpty {
            throw reader.error("trusted_proxies", "accept_proxy_protocol = true needs the addresses of the trusted fronts")
        }
        return listener
    }

    // MARK: - Small validators

    static func nonEmpty(_ value: String?, _ key: String, _ reader: TOMLReader) throws -> String? {
        if let value, value.trimmingCharacters(in: .whitespaces).isEmpty { throw reader.error(key, "must not be empty") }
        return value
    }

    static func positive(_ value: Duration?, _ key: String, _ reader: TOMLReader) throws -> Duration? {
        if let value, value <= .zero { throw reader.error(key, "must be longer than zero") }
        return value
    }

    private static func parseInstant(_ value: TOMLValue, key: String, _ reader: TOMLReader) throws -> Date {
        if let dateTime = value.dateTime, let offset = dateTime.offset, let date = instant(dateTime, offset) { return date }
        if let text = value.string, let date = ISO8601DateFormatter().date(from: text) { return date }
        throw reader.error(key, "expected an RFC 3339 instant with time zone, e.g. \"2023-09-30T00:00:00Z\"")
    }

    /// TOMLKit's own conversion reads the fields in the local time zone and
    /// drops the offset; an instant must not depend on the server's TZ.
    private static func instant(_ dateTime: TOMLDateTime, _ offset: TOMLTimeOffset) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        let components = DateComponents(year: dateTime.date.year, month: dateTime.date.month, day: dateTime.date.day,
                                        hour: dateTime.time.hour, minute: dateTime.time.minute,
                                        second: dateTime.time.second, nanosecond: dateTime.time.nanoSecond)
        return calendar.date(from: components)?.addingTimeInterval(-Double(offset.offset) * 60)
    }

    static func isValidHostname(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(cString: buffer)
        return isValidHostname(name) ? name : "localhost"
    }

    static func readFailure(_ path: String) -> String {
        FileManager.default.fileExists(atPath: path) ? "permission denied or not UTF-8" : "no such file"
    }
}
