/// Where to listen or connect: a TCP address or a Unix-domain socket path.
public enum Endpoint: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// `host` is an IP literal (no brackets) or a name resolved at start-up.
    case tcp(host: String, port: UInt16)
    case unix(path: String)

    /// Parses `"127.0.0.1:993"`, `"[::]:993"`, `"mail.internal:143"`,
    /// `"unix:/run/dovecot/imap"` or `"/run/dovecot/imap"`.
    public init?(_ text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/") else { return nil }
            self = .unix(path: path)
            return
        }
        if text.hasPrefix("/") {
            self = .unix(path: text)
            return
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
            guard host.contains(":") else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            // An unbracketed IPv6 literal is ambiguous: "::1:993".
            guard !host.contains(":") else { return nil }
        }
        guard !host.isEmpty, let port = UInt16(portText), port > 0 else { return nil }
        self = .tcp(host: String(host), port: port)
    }

    public var description: String {
        switch self {
        // A Character, not a String: `contains("…")` would be Foundation's substring search.
        case let .tcp(host, port) where host.contains(":" as Character): return "[\(host)]:\(port)"
        case let .tcp(host, port): return "\(host):\(port)"
        case let .unix(path): return "unix:\(path)"
        }
    }
}
