@testable import ProxyProtocol

/// Decodes `bytes` as one chunk with a fresh decoder.
func decode(_ bytes: [UInt8], maximumLength: Int = ProxyHeaderDecoder.defaultMaximumLength) -> ProxyDecodingResult {
    var decoder = ProxyHeaderDecoder(maximumLength: maximumLength)
    return decoder.feed(bytes)
}

/// The header of a `.header` result, `nil` for anything else.
func decodedHeader(_ bytes: [UInt8]) -> ProxyHeader? {
    guard case .header(let header, _) = decode(bytes) else { return nil }
    return header
}

func isInvalid(_ result: ProxyDecodingResult) -> Bool {
    if case .invalid = result { return true }
    return false
}

func endpoint(_ address: String, _ port: UInt16) -> ProxyIPEndpoint {
    ProxyIPEndpoint(address: ProxyIPAddress(address)!, port: port)
}

func ipHeader(_ source: String, _ sourcePort: UInt16, _ destination: String, _ destinationPort: UInt16) -> ProxyHeader {
    ProxyHeader(addresses: .ip(source: endpoint(source, sourcePort), destination: endpoint(destination, destinationPort)))
}

extension Array where Element == UInt8 {
    init(ascii text: String) { self = Array(text.utf8) }
}

/// The 12-byte v2 signature exactly as the spec prints it.
let specV2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
