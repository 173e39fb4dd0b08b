#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ProxyHeader {
    /// The v1 text line, e.g. `PROXY TCP4 192.0.2.1 198.51.100.7 56324 993\r\n`.
    ///
    /// Only TCP endpoints fit v1: a `LOCAL` header and unknown or UNIX
    /// addresses give `PROXY UNKNOWN\r\n`. TLVs exist in v2 only and are left out.
    public func encodedV1() -> [UInt8] {
        guard command == .proxy, case .ip(let source, let destination)? = addresses else {
            return Array("PROXY UNKNOWN\r\n".utf8)
        }
        let pair = WireIPPair(source: source, destination: destination)
        let proto = pair.isIPv4 ? "TCP4" : "TCP6"
        let line = "PROXY \(proto) \(pair.source.address) \(pair.destination.address) "
            + "\(pair.source.port) \(pair.destination.port)\r\n"
        return Array(line.utf8)
    }
}

/// Reading the v1 text line (spec section 2.1).
enum ProxyV1 {
    static let signature = Array("PROXY ".utf8)
    /// The longest line a receiver must accept, CRLF included.
    static let maximumLength = 107

    private static let carriageReturn: UInt8 = 0x0D
    private static let lineFeed: UInt8 = 0x0A

    /// Looks for a complete line at the start of `buffer`, rejecting as
    /// early as the bytes allow.
    static func scan(_ buffer: [UInt8]) -> DecodingStep {
        let known = min(buffer.count, signature.count)
        guard buffer.prefix(known).elementsEqual(signature.prefix(known)) else {
            return .invalid("not a PROXY protocol header")
        }
        for index in 0..<min(buffer.count, maximumLength) {
            switch buffer[index] {
            case lineFeed:
                guard index > 0, buffer[index - 1] == carriageReturn else {
                    return .invalid("v1 line ends with LF but no CR")
                }
                do {
                    return .complete(try parse(line: buffer[..<(index - 1)]), length: index + 1)
                } catch {
                    return .invalid(error.reason)
                }
            case carriageReturn:
                if index + 1 < buffer.count, buffer[index + 1] != lineFeed {
                    return .invalid("v1 line has a CR not followed by LF")
                }
            case 0x20...0x7E:
                continue
            default:
                return .invalid("v1 line contains byte 0x\(String(buffer[index], radix: 16)), not printable US-ASCII")
            }
        }
        return buffer.count >= maximumLength ? .invalid("v1 line has no CRLF within \(maximumLength) bytes") : .needMore
    }

    /// Parses a line (without CRLF) that starts with "PROXY ".
    private static func parse(line: ArraySlice<UInt8>) throws(ProxyDecodingFailure) -> ProxyHeader {
        let fields = line.split(separator: 0x20, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        let proto = fields.count > 1 ? fields[1] : ""
        switch proto {
        case "UNKNOWN":
            // The spec lets the sender put anything before the CRLF here; the
            // receiver ignores it and keeps the real endpoints.
            return ProxyHeader(command: .proxy, addresses: nil)
        case "TCP4", "TCP6":
            guard fields.count == 6 else {
                throw ProxyDecodingFailure("v1 \(proto) line needs 4 single-space-separated fields after the protocol")
            }
            let family = proto == "TCP4" ? AF_INET : AF_INET6
            guard let sourceAddress = address(fields[2], family: family),
                  let destinationAddress = address(fields[3], family: family) else {
                throw ProxyDecodingFailure("v1 \(proto) line has an invalid address")
            }
            guard let sourcePort = port(fields[4]), let destinationPort = port(fields[5]) else {
                throw ProxyDecodingFailure("v1 \(proto) line has an invalid port")
            }
            return ProxyHeader(command: .proxy, addresses: .ip(
                source: ProxyIPEndpoint(address: sourceAddress, port: sourcePort),
                destination: ProxyIPEndpoint(address: destinationAddress, port: destinationPort)))
        default:
            throw ProxyDecodingFailure("v1 protocol \"\(proto)\" is not TCP4, TCP6 or UNKNOWN")
        }
    }

    private static func address(_ text: String, family: Int32) -> ProxyIPAddress? {
        presentationToBytes(text, family: family).flatMap { ProxyIPAddress(bytes: $0) }
    }

    /// A decimal port in 0...65535 without leading zeroes (the spec forbids
    /// them so nobody can mistake them for octal).
    private static func port(_ text: String) -> UInt16? {
        let digits = Array(text.utf8)
        guard (1...5).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }),
              digits.count == 1 || digits[0] != 0x30 else { return nil }
        return UInt16(text)
    }
}
