import CSocket
import Glibc
import SystemPackage

/// One epoll instance. Registrations carry an `EventToken`; `wait` returns
/// them unpacked (see the CSocket shim for why).
struct EpollSet {
    let fd: FileDescriptor

    init() throws {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw NetError.errno("epoll_create1") }
        self.fd = FileDescriptor(rawValue: fd)
    }

    func add(_ socket: Int32, events: EpollEvents, token: EventToken) throws {
        guard tlsfloor_epoll_ctl(fd.rawValue, EPOLL_CTL_ADD, socket, events.rawValue, token.rawValue) == 0 else {
            throw NetError.errno("epoll_ctl add")
        }
    }

    /// Removes a registration; a socket that is not in the set is not an error.
    func remove(_ socket: Int32) {
        _ = tlsfloor_epoll_ctl(fd.rawValue, EPOLL_CTL_DEL, socket, 0, 0)
    }

    /// Waits at most `timeoutMilliseconds` (0: just look) for ready registrations.
    func wait(into events: UnsafeMutablePointer<tlsfloor_ready_event>, capacity: Int, timeoutMilliseconds: Int32) -> Int {
        let count = tlsfloor_epoll_wait(fd.rawValue, events, Int32(capacity), timeoutMilliseconds)
        return max(0, Int(count))
    }
}

/// The monotonic clock shared by deadlines and the worker's timerfd.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func milliseconds() -> UInt64 { nanoseconds() / 1_000_000 }
}
