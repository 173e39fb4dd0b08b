import CSocket
import Glibc

/// Thin wrappers over the socket syscalls tlsfloord uses; every socket is
/// non-blocking and close-on-exec.
enum Socket {
    /// - Parameter reusePort: `SO_REUSEPORT`, for one socket per worker on the same address.
    static func listen(on address: SocketAddress, reusePort: Bool = false, backlog: Int32 = 1024) throws -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetError.errno("socket") }
        do {
            if address.family == AF_UNIX {
                _ = address.withSockaddr { pointer, _ in
                    pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { unlinkStale($0) }
                }
            } else {
                try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
                if reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
            }
            let bound = address.withSockaddr { bind(fd, $0, $1) }
            guard bound == 0 else { throw NetError.errno("bind \(address)") }
            guard Glibc.listen(fd, backlog) == 0 else { throw NetError.errno("listen \(address)") }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Accepts one pending connection; nil when none is pending or accept
    /// failed (`errno` tells which).
    static func accept(_ fd: Int32) -> (fd: Int32, peer: SocketAddress)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let client = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { tlsfloor_accept_nonblocking(fd, $0, &length) }
        }
        guard client >= 0 else { return nil }
        return (client, SocketAddress(storage: storage, length: length))
    }

    /// Starts a non-blocking connect; true if it completed at once.
    static func connect(to address: SocketAddress) throws -> (fd: Int32, connected: Bool) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetError.errno("socket") }
        if address.family != AF_UNIX { setNoDelay(fd) }
        let result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
        if result == 0 { return (fd, true) }
        let code = errno
        // For a Unix socket EAGAIN means a full backlog, not a connect in progress.
        guard code == EINPROGRESS || (code == EAGAIN && address.family != AF_UNIX) else {
            close(fd)
            throw NetError.errno("connect \(address)", code)
        }
        return (fd, false)
    }

    /// The outcome of a non-blocking connect, once the socket is writable.
    static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    static func localAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? SocketAddress(storage: storage, length: length) : nil
    }

    /// Why `fd` cannot be a listener's socket — not a stream socket, or not
    /// listening — or nil when it can. systemd passes whatever a socket unit
    /// declares (`ListenDatagram=`, `Accept=yes` connections); accepting on
    /// those would fail on every wake-up or block a worker.
    static func listeningStreamProblem(_ fd: Int32) -> String? {
        guard let type = integerOption(fd, SOL_SOCKET, SO_TYPE) else { return "not a socket (\(NetError.errno("getsockopt")))" }
        guard type == Int32(SOCK_STREAM.rawValue) else { return "not a stream socket (SO_TYPE \(type)); use ListenStream=" }
        guard integerOption(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1 else {
            return "a stream socket that is not listening (Accept=yes passes connections, not listeners)"
        }
        return nil
    }

    private static func integerOption(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, level, name, &value, &length) == 0 ? value : nil
    }

    static func setNonBlocking(_ fd: Int32) throws {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw NetError.errno("fcntl O_NONBLOCK") }
    }

    /// How long TCP_DEFER_ACCEPT holds a silent client before accepting it
    /// anyway: one SYN-ACK retransmission.
    static let deferAcceptMilliseconds: UInt64 = 1_000

    /// TCP_DEFER_ACCEPT: accept once the client has sent data, or after
    /// `deferAcceptMilliseconds`. Best effort (not for Unix sockets; older
    /// kernels may refuse).
    static func deferAccept(_ fd: Int32) {
        try? setOption(fd, Int32(IPPROTO_TCP), TCP_DEFER_ACCEPT, Int32(deferAcceptMilliseconds / 1000))
    }

    /// Small mail-protocol replies must not wait 40 ms for a delayed ACK.
    static func setNoDelay(_ fd: Int32) {
        try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws {
        var value = value
        guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw NetError.errno("setsockopt")
        }
    }

    private static func unlinkStale(_ address: UnsafePointer<sockaddr_un>) {
        withUnsafeBytes(of: address.pointee.sun_path) { raw in
            raw.withMemoryRebound(to: CChar.self) { _ = unlink($0.baseAddress!) }
        }
    }
}
