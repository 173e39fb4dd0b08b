import Foundation

/// One logged client connection, as much of it as the audit report needs.
/// Built from either log format (see `RecordLine`); never holds a password,
/// because tlsfloord's records never do.
public struct ReportRecord: Sendable, Equatable {
    public var timestamp: Date
    public var listener: String
    public var `protocol`: String
    /// The client's address and port as logged: `192.0.2.1:51234`, `[2001:db8::1]:51234`.
    public var client: String
    public var outcome: String
    public var tlsVersion: String?
    public var offeredVersion: String?
    public var ja4: String?
    /// Below the TLS floor, whether refused, explained or allowed.
    public var legacy: Bool
    public var user: String?
    /// `accepted` or `rejected` when a login was seen.
    public var login: String?
    public var clientName: String?
    public var clientVersion: String?

    public init(
        timestamp: Date, listener: String, protocol: String, client: String, outcome: String,
        tlsVersion: String? = nil, offeredVersion: String? = nil, ja4: String? = nil, legacy: Bool = false,
        user: String? = nil, login: String? = nil, clientName: String? = nil, clientVersion: String? = nil
    ) {
        self.timestamp = timestamp
        self.listener = listener
        self.protocol = `protocol`
        self.client = client
        self.outcome = outcome
        self.tlsVersion = tlsVersion
        self.offeredVersion = offeredVersion
        self.ja4 = ja4
        self.legacy = legacy
        self.user = user
        self.login = login
        self.clientName = clientName
        self.clientVersion = clientVersion
    }

    /// Reads a connection record from its log keys (the names in `ConnectionRecord.keyOrder`).
    /// Nil when a key every connection record carries is missing.
    init?(timestamp: Date, fields: [String: String]) {
        // `-` and empty both mean "no value" in the log.
        func value(_ key: String) -> String? {
            guard let value = fields[key], !value.isEmpty, value != "-" else { return nil }
            return value
        }
        guard let listener = value("listener"), let proto = value("protocol"), let client = value("client"),
              let outcome = value("outcome")
        else { return nil }
        self.init(
            timestamp: timestamp, listener: listener, protocol: proto, client: client, outcome: outcome,
            tlsVersion: value("tls_version"), offeredVersion: value("offered_version"), ja4: value("ja4"),
            legacy: value("legacy") != nil, user: value("user"), login: value("login"), clientName: value("client_name"),
            clientVersion: value("client_version"))
    }

    /// A user logged in over TLS below the floor: whom `tlsfloord notify` writes to.
    public var isLegacyLogin: Bool { legacy && login == "accepted" && user != nil }

    /// The version this connection used: negotiated, else what a refused client offered.
    public var version: String { tlsVersion ?? offeredVersion ?? "none" }

    /// The client's address without the port, so one machine's connections group together.
    public var clientHost: String {
        if client.hasPrefix("["), let close = client.firstIndex(of: "]") {
            return String(client[client.index(after: client.startIndex)..<close])
        }
        // IPv4 "a.b.c.d:port"; anything else ("unix:/path", "unknown") is kept whole.
        let parts = client.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2, let port = parts.last, !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return String(parts[0])
        }
        return client
    }

    /// "Thunderbird 115.3", from the IMAP ID the client sent; nil when it sent none.
    public var software: String? {
        switch (clientName, clientVersion) {
        case let (name?, version?): "\(name) \(version)"
        case let (name?, nil): name
        case let (nil, version?): version
        case (nil, nil): nil
        }
    }
}
