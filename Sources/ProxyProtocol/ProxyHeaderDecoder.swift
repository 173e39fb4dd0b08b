/// What feeding bytes to a `ProxyHeaderDecoder` produced.
public enum ProxyDecodingResult: Hashable, Sendable {
    /// The bytes so far are a valid beginning; read more.
    case needMore
    /// A complete header. `consumed` counts the bytes *of the latest `feed`
    /// call* that belong to it: the rest of that chunk is the client's data.
    case header(ProxyHeader, consumed: Int)
    /// Not a valid PROXY header: close the connection (the spec says abort,
    /// never fall back to reading the bytes as the mail protocol).
    case invalid(reason: String)
}

/// Reads the PROXY header a trusted front load balancer puts before a
/// connection's data. v1 and v2 are told apart by their first byte.
///
/// Sans-I/O: feed it whatever the socket delivered, in any fragments. It is
/// strict (spec sections 2.1 and 2.2) and rejects as soon as the bytes so
/// far cannot start a valid header. It keeps at most `maximumLength` bytes.
public struct ProxyHeaderDecoder: Sendable {
    /// The largest v2 header accepted by default. Real headers are well
    /// under 1 KiB; this leaves room for a client-certificate sub-TLV.
    public static let defaultMaximumLength = 4096

    /// The largest header (v2) this decoder accepts; a v1 line is always at most 107 bytes.
    public let maximumLength: Int
    private var buffer: [UInt8] = []
    private var finished: ProxyDecodingResult?

    /// - Parameter maximumLength: the v2 size limit, raised to 232 bytes if
    ///   lower so that every address family still fits.
    public init(maximumLength: Int = defaultMaximumLength) {
        self.maximumLength = max(maximumLength, ProxyV2.fixedLength + ProxyV2.AddressLayout.unixStream.addressLength)
    }

    /// Adds bytes received from the peer. After a `.header` or `.invalid`
    /// result the decoder is done: later calls repeat `.invalid`, or give
    /// `.header` with `consumed: 0` since none of the new bytes are header.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> ProxyDecodingResult {
        switch finished {
        case .header(let header, _)?: return .header(header, consumed: 0)
        case let done?: return done
        case nil: break
        }
        let alreadyBuffered = buffer.count
        buffer.append(contentsOf: bytes.prefix(maximumLength - alreadyBuffered))
        let result: ProxyDecodingResult
        switch scan() {
        case .needMore:
            return .needMore
        case .complete(let header, let length):
            result = .header(header, consumed: length - alreadyBuffered)
        case .invalid(let reason):
            result = .invalid(reason: reason)
        }
        finished = result
        buffer = []
        return result
    }

    private func scan() -> DecodingStep {
        switch buffer.first {
        case nil: .needMore
        case ProxyV1.signature[0]?: ProxyV1.scan(buffer)
        case ProxyV2.signature[0]?: ProxyV2.scan(buffer, maximumLength: maximumLength)
        default: .invalid("not a PROXY protocol header")
        }
    }
}

/// Where a scan of buffered bytes stands.
enum DecodingStep {
    case needMore
    case complete(ProxyHeader, length: Int)
    case invalid(String)
}

/// Why a header was rejected, as the `.invalid` reason will say.
struct ProxyDecodingFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
