import FuzzSupport
import ProxyProtocol

/// A PROXY v1/v2 header from a front load balancer. Fed whole and byte by byte, the decoder must
/// reach the same result and count the same header bytes; a decoded header must survive a v2
/// encode and decode unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProxyHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzInput.run(data, size) { bytes in
        var whole = ProxyHeaderDecoder()
        let result = whole.feed(bytes)

        var trickled = ProxyHeaderDecoder()
        var trickledResult = ProxyDecodingResult.needMore
        var offset = 0
        for piece in FuzzInput.pieces(of: bytes, size: 1) {
            trickledResult = trickled.feed(piece)
            guard trickledResult == .needMore else { break }
            offset += 1
        }
        switch (result, trickledResult) {
        case (.needMore, .needMore), (.invalid, .invalid):
            break
        case (.header(let header, let consumed), .header(let trickledHeader, let trickledConsumed)):
            precondition(header == trickledHeader && consumed == offset + trickledConsumed,
                         "ProxyHeaderDecoder: \(result) whole, \(trickledResult) after \(offset) bytes one by one")
            checkRoundTrip(header)
        default:
            preconditionFailure("ProxyHeaderDecoder: \(result) whole, \(trickledResult) byte by byte")
        }
    }
}

private func checkRoundTrip(_ header: ProxyHeader) {
    guard let encoded = try? header.encodedV2() else { preconditionFailure("cannot re-encode \(header)") }
    var decoder = ProxyHeaderDecoder()
    let again = decoder.feed(encoded)
    precondition(again == .header(header, consumed: encoded.count), "v2 round trip of \(header) gave \(again)")
}
