import COpenSSL
import Foundation

/// The result of one non-blocking step of a TLS session.
public enum TLSStep: Equatable, Sendable {
    /// Handshake finished, or `count` plaintext bytes were read/written.
    case done(count: Int)
    /// Call again when the socket is readable.
    case wantRead
    /// Call again when the socket is writable.
    case wantWrite
    /// The peer closed the TLS session (close_notify or EOF).
    case closed
    case failed(TLSFailure)
}

/// Why a TLS session failed, classified the way the connection log reports it.
public struct TLSFailure: Equatable, Sendable, Error {
    public enum Kind: String, Sendable {
        /// The client offered only versions below the floor.
        case versionRefused = "tls_version_refused"
        /// Anything else: no common cipher, garbage, alerts, resets.
        case handshakeFailed = "handshake_failed"
        /// A socket error after the handshake.
        case ioFailed = "io_failed"
    }
    public var kind: Kind
    public var detail: String
}

/// One server-side TLS session on a non-blocking socket. OpenSSL reads and
/// writes the fd itself; the caller waits for readiness when told to.
///
/// Not thread-safe: confine it to one serial queue (its connection's).
public final class TLSSession {
    let ssl: OpaquePointer
    /// Kept for the C callbacks (certificate switch, OCSP, ticket keys), which reach it through the session.
    let context: TLSContext
    let policy: VersionPolicy
    /// The client's address for the policy (exempt networks, the ramp).
    let clientAddress: [UInt8]?
    let now: () -> Date

    /// What the client's ClientHello offered; nil until it arrived.
    public internal(set) var offer: ClientOffer?
    /// What the version policy decided for this client.
    public internal(set) var decision: VersionPolicy.Decision?
    /// The raw ClientHello, kept by the message callback until the hello callback reads it.
    var capturedHello: [UInt8]?

    /// - Parameters:
    ///   - clientAddress: IP address bytes of the client (behind a front: the one its PROXY header gave).
    ///   - now: the clock for `enforce_after` and the ramp (injectable for tests).
    public init(context: TLSContext, fd: Int32, policy: VersionPolicy, clientAddress: [UInt8]?,
                now: @escaping () -> Date = Date.init) throws {
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSFailure(kind: .handshakeFailed, detail: "SSL_new: \(OpenSSLErrors.drain())")
        }
        self.ssl = ssl
        self.context = context
        self.policy = policy
        self.clientAddress = clientAddress
        self.now = now
        _ = tlsfloor_SSL_set_min_proto_version(ssl, Int32(policy.floor))
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
        SSL_set_ex_data(ssl, TLSSession.exDataIndex, Unmanaged.passUnretained(self).toOpaque())
        SSL_set_msg_callback(ssl, clientHelloCaptureCallback)
    }

    deinit {
        SSL_free(ssl)
    }

    static let exDataIndex = tlsfloor_SSL_get_ex_new_index()

    static func from(_ ssl: OpaquePointer?) -> TLSSession? {
        guard let ssl, let raw = SSL_get_ex_data(ssl, exDataIndex) else { return nil }
        return Unmanaged<TLSSession>.fromOpaque(raw).takeUnretainedValue()
    }

    // MARK: - Steps

    public func handshake() -> TLSStep {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            // The message callback costs a call per record; it was only for the ClientHello.
            SSL_set_msg_callback(ssl, nil)
            return .done(count: 0)
        }
        switch step(for: result) {
        case .failed(let failure): return .failed(classify(failure))
        case .closed: return .failed(classify(TLSFailure(kind: .handshakeFailed, detail: "client closed the connection")))
        case let other: return other
        }
    }

    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> TLSStep {
        ERR_clear_error()
        let result = SSL_read(ssl, buffer, Int32(clamping: capacity))
        return result > 0 ? .done(count: Int(result)) : step(for: result)
    }

    public func write(_ buffer: UnsafeRawPointer, count: Int) -> TLSStep {
        ERR_clear_error()
        let result = SSL_write(ssl, buffer, Int32(clamping: count))
        return result > 0 ? .done(count: Int(result)) : step(for: result)
    }

    /// Sends close_notify once, best effort: the socket closes right after.
    public func sendCloseNotify() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    // MARK: - Negotiated parameters

    /// "TLSv1.0" … "TLSv1.3" (OpenSSL itself says "TLSv1" for 1.0).
    public var protocolVersion: TLSProtocolVersion { TLSProtocolVersion(rawValue: UInt16(truncatingIfNeeded: SSL_version(ssl))) }

    public var cipher: String {
        guard let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) else { return "-" }
        return String(cString: name)
    }

    public var serverName: String? {
        guard let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) else { return offer?.serverName }
        return String(cString: name)
    }

    public var wasResumed: Bool { SSL_session_reused(ssl) == 1 }

    /// The certificate sent, as `name/keytype` (`mail.example.org/rsa`);
    /// nil for a resumed session, which sends none.
    public var servedCertificate: String? {
        guard !wasResumed, let certificate = SSL_get_certificate(ssl) else { return nil }
        return context.certificates.served(certificate)?.label
    }

    /// True while not a byte has come from the client's socket.
    public var hasReceivedNothing: Bool {
        guard let bio = SSL_get_rbio(ssl) else { return true }
        return BIO_number_read(bio) == 0
    }

    // MARK: - Private

    private func step(for result: Int32) -> TLSStep {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let err = errno
            ERR_clear_error()
            if result == 0 || err == 0 { return .closed }
            return .failed(TLSFailure(kind: .ioFailed, detail: String(cString: strerror(err))))
        default:
            return .failed(TLSFailure(kind: .ioFailed, detail: OpenSSLErrors.drain()))
        }
    }

    private func classify(_ failure: TLSFailure) -> TLSFailure {
        guard let offer else {
            return TLSFailure(kind: .handshakeFailed, detail: failure.detail == "client closed the connection"
                              ? "client closed before sending a ClientHello" : failure.detail)
        }
        if offer.highestVersion.rawValue < policy.floor, decision == .reject || decision == nil {
            return TLSFailure(kind: .versionRefused, detail: failure.detail)
        }
        return TLSFailure(kind: .handshakeFailed, detail: failure.detail)
    }
}
