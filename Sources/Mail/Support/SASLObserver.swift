import EventLog
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Follows the client's side of a SASL exchange (RFC 4422) just far enough
/// to learn the login name, for the connection record.
///
/// Only the first response is ever decoded: for PLAIN (RFC 4616) it is
/// `authzid NUL authcid NUL password` and only the authcid is kept; for
/// LOGIN it is the user name alone. Later responses (the LOGIN password) are
/// not even decoded. Other mechanisms yield no name.
struct SASLObserver: Sendable {
    /// The mechanism name in upper case.
    let mechanism: String
    private(set) var user: String?
    private var responses = 0

    init(mechanism: some Collection<UInt8>) {
        self.mechanism = ASCII.uppercased(mechanism.prefix(64))
    }

    /// Feeds one client response as sent: base64 text, `=` for an empty
    /// initial response (RFC 4954, RFC 4959), `*` to cancel.
    mutating func clientResponse(_ encoded: some Collection<UInt8>) {
        responses += 1
        guard responses == 1, let decoded = Self.decodeBase64(encoded) else { return }
        switch mechanism {
        case "PLAIN":
            let fields = decoded.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { return }
            user = LogSafeText.clean(fields[1])
        case "LOGIN":
            user = LogSafeText.clean(decoded)
        default:
            return
        }
    }

    private static func decodeBase64(_ encoded: some Collection<UInt8>) -> [UInt8]? {
        let text = String(decoding: encoded.filter { $0 != UInt8(ascii: " ") }, as: UTF8.self)
        guard text != "*", text != "=" else { return nil }
        return Data(base64Encoded: text).map(Array.init)
    }
}
