import Glibc
import SystemPackage
import TLS

/// A socket registered in its worker's epoll set, edge-triggered, with
/// what the kernel last said about it.
///
/// Edge triggering reports a change of readiness once, so the flags keep
/// it: set by an event, cleared only when an operation meets EAGAIN. A
/// caller may therefore try an operation whenever its flag is set, and must
/// wait for an event only after the flag was cleared.
struct WatchedSocket {
    let fd: FileDescriptor
    /// The registration in the worker's epoll set.
    var token: EventToken
    var isReadable: Bool
    var isWritable: Bool

    init(fd: FileDescriptor, token: EventToken, isReadable: Bool, isWritable: Bool) {
        self.fd = fd
        self.token = token
        self.isReadable = isReadable
        self.isWritable = isWritable
    }

    var rawValue: Int32 { fd.rawValue }

    /// Records an epoll event. Hang-ups and errors count as both: the next
    /// read or write reports them.
    mutating func note(_ events: EpollEvents) {
        if events.contains(.readable) || events.contains(.peerClosed) || events.contains(.hangUp) || events.contains(.error) {
            isReadable = true
        }
        if events.contains(.writable) || events.contains(.hangUp) || events.contains(.error) {
            isWritable = true
        }
    }

    /// Is the readiness this wait needs known to be there?
    func satisfies(_ wait: SocketWait) -> Bool {
        switch wait {
        case .readable: isReadable
        case .writable: isWritable
        }
    }

    mutating func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> IOResult {
        noting(IOResult(returnValue: Glibc.read(fd.rawValue, buffer, capacity)), blocks: \.isReadable)
    }

    /// Looks at pending bytes without taking them off the socket.
    mutating func peek(into buffer: UnsafeMutableRawPointer, capacity: Int) -> IOResult {
        noting(IOResult(returnValue: recv(fd.rawValue, buffer, capacity, Int32(MSG_PEEK))), blocks: \.isReadable)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        guard !bytes.isEmpty else { return .bytes(0) }
        return noting(IOResult(returnValue: Glibc.write(fd.rawValue, bytes.baseAddress, bytes.count)), blocks: \.isWritable)
    }

    /// OpenSSL reads and writes the fd itself; a step that wants more tells
    /// which readiness it met EAGAIN on.
    mutating func note(_ step: TLSStep) {
        switch step {
        case .wantRead: isReadable = false
        case .wantWrite: isWritable = false
        case .done, .closed, .failed: break
        }
    }

    private mutating func noting(_ result: IOResult, blocks flag: WritableKeyPath<WatchedSocket, Bool>) -> IOResult {
        if result == .wouldBlock { self[keyPath: flag] = false }
        return result
    }
}

/// The readiness a connection waits for on one of its sockets.
enum SocketWait: Equatable {
    case readable, writable
}
