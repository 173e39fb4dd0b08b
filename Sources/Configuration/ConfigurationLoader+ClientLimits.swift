/// The per-address keys of `[limits]` and the `[abuse]` table.
extension Configuration {
    /// Reads `max_connections_per_ip` and `max_handshakes_per_ip_per_minute`
    /// from the `[limits]` reader (which rejects unknown keys afterwards).
    static func parseClientLimits(_ reader: inout TOMLReader) throws -> ClientLimitSettings {
        var settings = ClientLimitSettings()
        settings.maxConnectionsPerIP = try nonNegative(reader.int("max_connections_per_ip"), "max_connections_per_ip", reader)
            ?? settings.maxConnectionsPerIP
        settings.maxHandshakesPerIPPerMinute = try nonNegative(reader.int("max_handshakes_per_ip_per_minute"),
                                                               "max_handshakes_per_ip_per_minute", reader)
            ?? settings.maxHandshakesPerIPPerMinute
        return settings
    }

    static func parseAbuse(_ reader: TOMLReader?) throws -> AbuseSettings {
        var abuse = AbuseSettings()
        guard var reader else { return abuse }
        abuse.maxFailedLogins = try nonNegative(reader.int("max_failed_logins"), "max_failed_logins", reader) ?? abuse.maxFailedLogins
        abuse.window = try positive(reader.duration("window"), "window", reader) ?? abuse.window
        abuse.banTime = try positive(reader.duration("ban_time"), "ban_time", reader) ?? abuse.banTime
        abuse.exemptNetworks = try reader.networks("exempt_networks") ?? abuse.exemptNetworks
        try reader.rejectUnknownKeys()
        return abuse
    }

    private static func nonNegative(_ value: Int?, _ key: String, _ reader: TOMLReader) throws -> Int? {
        guard let value else { return nil }
        guard value >= 0 else { throw reader.error(key, "must be 0 (off) or more") }
        return value
    }
}
