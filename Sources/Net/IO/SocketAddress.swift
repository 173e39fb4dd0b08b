import CSocket
import Configuration
import Glibc

/// A resolved socket address (IPv4, IPv6 or Unix), stored inline.
public struct SocketAddress: Sendable, CustomStringConvertible {
    var storage = sockaddr_storage()
    var length: socklen_t = 0

    public var family: Int32 { Int32(storage.ss_family) }

    /// Builds from a kernel-filled `sockaddr_storage` (accept, getsockname).
    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    init(unixPath path: String) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw NetError("unix socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        withUnsafeMutableBytes(of: &storage) { raw in
            withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
        }
        length = socklen_t(MemoryLayout<sockaddr_un>.size)
    }

    /// Resolves an endpoint; host names go through getaddrinfo (start-up
    /// and reload only, never on a serving queue).
    static func resolve(_ endpoint: Endpoint, passive: Bool) throws -> [SocketAddress] {
        switch endpoint {
        case .unix(let path):
            return [try SocketAddress(unixPath: path)]
        case let .tcp(host, port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
            var result: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &result)
            guard status == 0, let first = result else {
                throw NetError("cannot resolve \(endpoint): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(first) }
            var addresses: [SocketAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                if let address = info.pointee.ai_addr {
                    var storage = sockaddr_storage()
                    withUnsafeMutableBytes(of: &storage) { raw in
                        raw.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen)))
                    }
                    addresses.append(SocketAddress(storage: storage, length: info.pointee.ai_addrlen))
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) rethrows -> T {
        try withUnsafeBytes(of: storage) { raw in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// The IP address bytes (4 or 16) and port; nil for Unix sockets.
    public var ipAndPort: (address: [UInt8], port: UInt16)? {
        withUnsafeBytes(of: storage) { raw -> ([UInt8], UInt16)? in
            switch family {
            case AF_INET:
                let address = raw.load(as: sockaddr_in.self)
                let bytes = withUnsafeBytes(of: address.sin_addr) { Array($0) }
                return (bytes, UInt16(bigEndian: address.sin_port))
            case AF_INET6:
                let address = raw.load(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: address.sin6_addr) { Array($0) }
                return (bytes, UInt16(bigEndian: address.sin6_port))
            default:
                return nil
            }
        }
    }

    /// `192.0.2.1:993`, `[2001:db8::1]:993`, or `unix:/path`. IPv4-mapped
    /// IPv6 addresses are shown as IPv4: that is what the operator knows.
    public var description: String {
        guard let (address, port) = ipAndPort else {
            if family == AF_UNIX {
                return withUnsafeBytes(of: storage) { raw in
                    let path = raw.load(as: sockaddr_un.self)
                    return "unix:" + withUnsafeBytes(of: path.sun_path) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                }
            }
            return "unknown"
        }
        let text = Self.format(address)
        return address.count == 16 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }

    /// The address alone, without the port.
    public var host: String {
        guard let (address, _) = ipAndPort else { return description }
        return Self.format(address)
    }

    static func format(_ address: [UInt8]) -> String {
        var bytes = address
        var family = address.count == 4 ? AF_INET : AF_INET6
        if address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF {
            bytes = Array(address[12...])
            family = AF_INET
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        return ok ? String(cString: buffer) : "?"
    }
}

/// A socket-level failure with the syscall's explanation.
public struct NetError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The errno behind it, when a syscall failed.
    public var code: Int32?

    init(_ description: String, code: Int32? = nil) {
        self.description = description
        self.code = code
    }

    static func errno(_ call: String, _ code: Int32 = Glibc.errno) -> NetError {
        NetError("\(call): \(String(cString: strerror(code)))", code: code)
    }

    /// Out of descriptors or buffers here: says nothing about the peer.
    var isLocalResourceShortage: Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }
}
