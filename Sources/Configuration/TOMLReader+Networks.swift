extension TOMLReader {
    /// A list of networks in CIDR notation (`trusted_proxies`,
    /// `exempt_networks`); a bad entry is reported under `key`.
    mutating func networks(_ key: String) throws -> [IPNetwork]? {
        try strings(key)?.map { text throws(ConfigurationError) -> IPNetwork in
            do {
                return try IPNetwork(text)
            } catch {
                throw self.error(key, "\(error)")
            }
        }
    }
}
