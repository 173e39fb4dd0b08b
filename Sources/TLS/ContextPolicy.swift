import COpenSSL
import Configuration

/// The settings every `SSL_CTX` of a generation shares: the floor,
/// TR-02102-2 ciphers, no compression, no renegotiation, server cipher
/// preference, session tickets, and buffers released while idle. A
/// connection may switch context by SNI, so all contexts must agree.
enum ContextPolicy {
    static func apply(to ctx: OpaquePointer, _ settings: TLSSettings) throws {
        ERR_clear_error()
        let floor = settings.minVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard tlsfloor_SSL_CTX_set_min_proto_version(ctx, floor) == 1 else {
            throw TLSSetupError(key: "tls.min_version", reason: OpenSSLErrors.drain())
        }
        var options = tlsfloor_SSL_OP_NO_COMPRESSION | tlsfloor_SSL_OP_NO_RENEGOTIATION
            | tlsfloor_SSL_OP_CIPHER_SERVER_PREFERENCE
            // Many mail clients just close the socket; that is an end, not an attack.
            | tlsfloor_SSL_OP_IGNORE_UNEXPECTED_EOF
        if !settings.sessionTickets { options |= tlsfloor_SSL_OP_NO_TICKET }
        _ = tlsfloor_SSL_CTX_set_options(ctx, options)
        // TLS 1.3 sends tickets after the handshake, two by default (for a
        // browser's parallel connections). A mail client resumes one
        // connection at a time and gets a fresh ticket with each; every
        // ticket costs an encryption and a record on every handshake.
        _ = SSL_CTX_set_num_tickets(ctx, 1)
        _ = tlsfloor_SSL_CTX_set_mode(ctx, Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE
                                                | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        // With tickets, resumption is stateless (TLS 1.2 and 1.3) and a server-side
        // cache would only add a locked table and its periodic sweeps; without
        // them the cache is the only way to resume.
        _ = tlsfloor_SSL_CTX_set_session_cache_mode(ctx, Int(settings.sessionTickets ? SSL_SESS_CACHE_OFF : SSL_SESS_CACHE_SERVER))
        guard SSL_CTX_set_cipher_list(ctx, settings.ciphers) == 1 else {
            throw TLSSetupError(key: "tls.ciphers", reason: "no usable cipher in \"\(settings.ciphers)\"")
        }
        guard SSL_CTX_set_ciphersuites(ctx, settings.ciphersuites) == 1 else {
            throw TLSSetupError(key: "tls.ciphersuites", reason: "no usable TLS 1.3 suite in \"\(settings.ciphersuites)\"")
        }
        guard tlsfloor_SSL_CTX_set1_groups_list(ctx, settings.groups) == 1 else {
            throw TLSSetupError(key: "tls.groups", reason: "unknown group in \"\(settings.groups)\"")
        }
        // The same on every instance: a ticket from another instance of a fleet is accepted.
        let sessionContext = Array("tlsfloord".utf8)
        _ = SSL_CTX_set_session_id_context(ctx, sessionContext, UInt32(sessionContext.count))
    }
}
