import CSocket

/// The epoll event bits tlsfloord uses.
struct EpollEvents: OptionSet, Sendable {
    let rawValue: UInt32

    static let readable = EpollEvents(rawValue: tlsfloor_epollin())
    static let writable = EpollEvents(rawValue: tlsfloor_epollout())
    /// The peer shut down its writing side (EPOLLRDHUP).
    static let peerClosed = EpollEvents(rawValue: tlsfloor_epollrdhup())
    static let hangUp = EpollEvents(rawValue: tlsfloor_epollhup())
    static let error = EpollEvents(rawValue: tlsfloor_epollerr())
    static let edgeTriggered = EpollEvents(rawValue: tlsfloor_epollet())

    /// A connection's socket: registered once for everything, edge-triggered.
    static let connection: EpollEvents = [.readable, .writable, .peerClosed, .edgeTriggered]
}
