/// The short conversation with a client below the TLS floor when the
/// operator chose to explain rather than drop it: tlsfloord finishes the
/// handshake only to send one readable refusal carrying the operator's
/// message, then closes. Nothing is relayed; the backend is never contacted.
///
/// Actions are only ever `.send` and `.close`.
public protocol LegacyRefusalSession {
    /// What to do right after the TLS handshake (may be nothing, when the
    /// protocol has no greeting after STARTTLS).
    mutating func greeting() -> [PreambleAction]
    /// Feeds decrypted bytes the client sent; returns what to do, in order.
    mutating func receive(_ bytes: [UInt8]) -> [PreambleAction]
}
