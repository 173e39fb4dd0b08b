import FuzzSupport
import TLS

/// The client's first bytes on a TLS port: record reassembly, the ClientHello parser and the
/// fingerprint and offer built from it. Fed whole and byte by byte, the assembler must reach the
/// same status (a client trickling bytes must not change the verdict). The input is also parsed
/// as a bare handshake message, the form OpenSSL's message callback hands over.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClientHello(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzInput.run(data, size) { bytes in
        var whole = ClientHelloAssembler()
        let status = whole.feed(bytes)
        var trickled = ClientHelloAssembler()
        var trickledStatus = ClientHelloAssembler.Status.needMore
        for piece in FuzzInput.pieces(of: bytes, size: 1) { trickledStatus = trickled.feed(piece) }
        precondition(status == trickledStatus, "ClientHelloAssembler: \(status) whole, \(trickledStatus) byte by byte")

        if case .complete(let message, _, _) = status { inspect(message) }
        inspect(bytes)
    }
}

/// Everything tlsfloord derives from a parsed ClientHello for the connection record.
private func inspect(_ message: [UInt8]) {
    guard let hello = try? ClientHello(handshakeMessage: message) else { return }
    _ = ClientOffer(hello)
    _ = JA4.rawFingerprint(of: hello)
}
