import Configuration
import Glibc
import Synchronization

/// One configured listening address and its sockets.
///
/// A listener tlsfloord binds itself gets one socket per worker, each with
/// `SO_REUSEPORT`: the kernel spreads clients over the workers and each
/// worker accepts from its own socket in its own epoll set. A socket
/// systemd passes in (or a Unix socket) exists once; the workers take turns
/// on it (see `Acceptor`).
final class Listener: Sendable {
    enum Sockets: Sendable {
        case perWorker([Int32])
        case shared(Int32)
    }

    let name: String
    let address: String
    let sockets: Sockets
    /// True when systemd passed the socket in (it is not ours to unlink or re-bind).
    let inherited: Bool
    let warnedAboutDescriptors = Atomic<Bool>(false)

    init(name: String, sockets: Sockets, inherited: Bool) {
        self.name = name
        self.sockets = sockets
        self.inherited = inherited
        let first: Int32 = switch sockets {
        case .perWorker(let fds): fds[0]
        case .shared(let fd): fd
        }
        address = Socket.localAddress(first)?.description ?? "fd \(first)"
    }

    /// Binds `configuration.listen`: one socket per worker for TCP, one
    /// shared socket for a Unix path.
    static func bind(_ configuration: ListenerConfiguration, workers: Int) throws -> Listener {
        let addresses = try SocketAddress.resolve(configuration.listen, passive: true)
        guard let address = addresses.first else { throw NetError("\(configuration.listen): no address") }
        if address.family == AF_UNIX {
            return Listener(name: configuration.name, sockets: .shared(try Socket.listen(on: address)), inherited: false)
        }
        var fds: [Int32] = []
        do {
            for _ in 0..<workers {
                fds.append(try Socket.listen(on: address, reusePort: true))
            }
        } catch {
            for fd in fds { Glibc.close(fd) }
            throw error
        }
        return Listener(name: configuration.name, sockets: .perWorker(fds), inherited: false)
    }

    var allSockets: [Int32] {
        switch sockets {
        case .perWorker(let fds): fds
        case .shared(let fd): [fd]
        }
    }

    /// Closes every socket (after every worker stopped accepting).
    func close() {
        for fd in allSockets { Glibc.close(fd) }
    }
}
