import Testing
@testable import TLS

@Suite struct ClientHelloTests {
    @Test func tls10ClientWithoutSupportedVersions() throws {
        let hello = try clientHello(fromRecords: RealClientHellos.opensslTLS10)
        #expect(hello.legacyVersion == .tlsv1_0)
        #expect(hello.supportedVersions == nil)
        #expect(hello.highestOfferedVersion == .tlsv1_0)
        #expect(hello.serverName == nil)
        #expect(hello.signatureAlgorithms.isEmpty)
        #expect(hello.cipherSuites.contains(0x002F))
        #expect(hello.compressionMethods == [0])
    }

    @Test func tls13ClientOffersItsVersionInSupportedVersions() throws {
        let hello = try clientHello(fromRecords: RealClientHellos.opensslTLS13)
        #expect(hello.legacyVersion == .tlsv1_2)
        #expect(hello.supportedVersions == [.tlsv1_3])
        #expect(hello.highestOfferedVersion == .tlsv1_3)
        #expect(hello.serverName == "mail.example.org")
        #expect(hello.cipherSuites == [0x1302, 0x1303, 0x1301, 0x00FF])
        #expect(hello.supportedGroups.contains(0x001D))  // x25519
        #expect(hello.ecPointFormats == [0, 1, 2])
        #expect(hello.signatureAlgorithms.first == 0x0403)
    }

    @Test func pythonClientNamesItsServer() throws {
        let hello = try clientHello(fromRecords: RealClientHellos.pythonSSL)
        #expect(hello.serverName == "imap.example.org")
        #expect(hello.highestOfferedVersion == .tlsv1_3)
        #expect(hello.supportedVersions == [.tlsv1_3, .tlsv1_2])
    }

    @Test func alpnProtocolsInPreferenceOrder() throws {
        let hello = try clientHello(fromRecords: RealClientHellos.opensslTwoRecords)
        let names = hello.alpnProtocols.map { String(decoding: $0, as: UTF8.self) }
        #expect(names.prefix(3) == ["imap", "pop3", "smtp"])
        #expect(names.count == 7)
        #expect(hello.serverName?.hasSuffix(".example") == true)
    }

    @Test func greaseAndUnknownExtensionsAreKeptInWireOrder() throws {
        let hello = try clientHello(fromRecords: RealClientHellos.foxioNonASCIIALPN)
        #expect(hello.cipherSuites.first == 0xAAAA)
        #expect(hello.extensions.first?.type == 0x9A9A)
        #expect(hello.extensions.contains { $0.type == 0x4469 })  // application_settings, unknown to OpenSSL 3
        #expect(hello.supportedVersions?.first?.isGREASE == true)
        #expect(hello.highestOfferedVersion == .tlsv1_3)
        #expect(hello.extensionData(ofType: 0x0017) == [])
        #expect(hello.extensionData(ofType: 0x0032) == nil)
    }

    @Test func helloMayEndAfterCompressionMethods() throws {
        let hello = try ClientHello(handshakeMessage: SyntheticClientHello(version: 0x0300, extensions: nil).handshakeMessage)
        #expect(hello.extensions.isEmpty)
        #expect(hello.highestOfferedVersion == .sslv3)
        #expect(hello.alpnProtocols.isEmpty)
    }

    @Test func emptyServerNameExtensionNamesNoHost() throws {
        var hello = SyntheticClientHello()
        hello.extensions = [(0x0000, [])]
        #expect(try ClientHello(handshakeMessage: hello.handshakeMessage).serverName == nil)
    }

    // MARK: Malformed input

    /// Cuts a real body at every offset (keeping the handshake length honest, so the inner fields
    /// must notice): only the cut right after the compression methods is a valid ClientHello.
    @Test func everyTruncationOfARealHelloIsRejected() throws {
        var assembler = ClientHelloAssembler()
        guard case .complete(let message, _, _) = assembler.feed(RealClientHellos.pythonSSL) else {
            Issue.record("capture did not assemble")
            return
        }
        let body = Array(message.dropFirst(4))
        let sessionIDEnd = 35 + Int(body[34])
        let cipherSuitesEnd = sessionIDEnd + 2 + (Int(body[sessionIDEnd]) << 8 | Int(body[sessionIDEnd + 1]))
        let endOfCompressionMethods = cipherSuitesEnd + 1 + Int(body[cipherSuitesEnd])
        for length in 0 ..< body.count {
            let cut = clientHelloMessage(body: Array(body.prefix(length)))
            if length == endOfCompressionMethods {
                #expect(throws: Never.self) { try ClientHello(handshakeMessage: cut) }
            } else {
                #expect(throws: ClientHelloError.self, "cut at \(length)") { try ClientHello(handshakeMessage: cut) }
            }
        }
    }

    @Test func messageShorterThanItsLengthIsTruncated() {
        let message = SyntheticClientHello().handshakeMessage
        for length in 0 ..< message.count {
            #expect(throws: ClientHelloError.self) { try ClientHello(handshakeMessage: message.prefix(length)) }
        }
    }

    @Test func bytesBeyondTheAnnouncedLengthAreRejected() {
        let message = SyntheticClientHello().handshakeMessage + [0]
        #expect(throws: ClientHelloError.trailingBytes(.handshakeHeader)) { try ClientHello(handshakeMessage: message) }
    }

    @Test func otherHandshakeMessagesAreNotClientHellos() {
        let serverHello = [2] + SyntheticClientHello().handshakeMessage.dropFirst()
        #expect(throws: ClientHelloError.notClientHello(messageType: 2)) { try ClientHello(handshakeMessage: serverHello) }
    }

    @Test func hugeAnnouncedLengthIsRefusedBeforeReading() {
        let message = clientHelloMessage(body: [3, 3], announcedLength: 0xFF_FFFF)
        #expect(throws: ClientHelloError.messageTooLarge(length: 0xFF_FFFF, limit: ClientHello.maximumLength)) {
            try ClientHello(handshakeMessage: message)
        }
    }

    @Test func cipherSuitesLongerThanTheBody() {
        var body = SyntheticClientHello(extensions: nil).body
        body[35] = 0xFF  // cipher_suites length 0xFF02
        #expect(throws: ClientHelloError.truncated(.cipherSuites)) { try ClientHello(handshakeMessage: clientHelloMessage(body: body)) }
    }

    @Test func oddCipherSuitesLength() {
        var body = SyntheticClientHello(cipherSuites: [0x002F, 0x0035], extensions: nil).body
        body[36] = 3
        #expect(throws: ClientHelloError.oddLength(.cipherSuites)) { try ClientHello(handshakeMessage: clientHelloMessage(body: body)) }
    }

    @Test func extensionLongerThanTheBlock() {
        var hello = SyntheticClientHello()
        hello.extensions = [(0x0017, [])]
        var body = hello.body
        body[body.count - 1] = 9  // the extension claims 9 bytes of data; none follow
        #expect(throws: ClientHelloError.truncated(.extensionData(type: 0x0017))) { try ClientHello(handshakeMessage: clientHelloMessage(body: body)) }
    }

    @Test func extensionsBlockShorterThanTheBody() {
        var hello = SyntheticClientHello()
        hello.extensions = [(0x0017, [])]
        let body = hello.body + [0, 0x23, 0, 0]
        #expect(throws: ClientHelloError.trailingBytes(.extensions)) { try ClientHello(handshakeMessage: clientHelloMessage(body: body)) }
    }

    @Test func lyingLengthInsideServerName() {
        var hello = SyntheticClientHello()
        var serverName = SyntheticClientHello.serverName("example.org")
        serverName[4] = 200  // host_name length far beyond the extension
        hello.extensions = [(0x0000, serverName)]
        #expect(throws: ClientHelloError.truncated(.extensionData(type: 0x0000))) { try ClientHello(handshakeMessage: hello.handshakeMessage) }
    }

    @Test func serverNameListShorterThanTheExtension() {
        var hello = SyntheticClientHello()
        hello.extensions = [(0x0000, SyntheticClientHello.serverName("example.org") + [0])]
        #expect(throws: ClientHelloError.trailingBytes(.extensionData(type: 0x0000))) { try ClientHello(handshakeMessage: hello.handshakeMessage) }
    }

    @Test func lyingLengthInsideALPN() {
        var hello = SyntheticClientHello()
        hello.extensions = [(0x0010, [0, 3, 5, 0x68, 0x32])]  // a 5-byte name in a 3-byte list
        #expect(throws: ClientHelloError.truncated(.extensionData(type: 0x0010))) { try ClientHello(handshakeMessage: hello.handshakeMessage) }
    }

    @Test func oddSupportedVersions() {
        var hello = SyntheticClientHello()
        hello.extensions = [(0x002B, [3, 3, 4, 3])]
        #expect(throws: ClientHelloError.oddLength(.extensionData(type: 0x002B))) { try ClientHello(handshakeMessage: hello.handshakeMessage) }
    }

    @Test func duplicateExtensionsAreRejected() {
        var hello = SyntheticClientHello()
        hello.extensions = [(0x0017, []), (0x0023, []), (0x0017, [])]
        #expect(throws: ClientHelloError.duplicateExtension(type: 0x0017)) { try ClientHello(handshakeMessage: hello.handshakeMessage) }
    }

    @Test func hugeExtensionCountIsRejected() {
        var hello = SyntheticClientHello()
        hello.extensions = (0 ..< 5000).map { (UInt16(0x1000 + $0), []) }
        #expect(throws: ClientHelloError.tooManyExtensions(limit: ClientHello.maximumExtensionCount)) {
            try ClientHello(handshakeMessage: hello.handshakeMessage)
        }
    }

    @Test func extensionsBlockClaimingMoreThanSent() {
        let body = SyntheticClientHello(extensions: nil).body + [0xFF, 0xFF, 0, 0x17, 0, 0]
        #expect(throws: ClientHelloError.truncated(.extensions)) { try ClientHello(handshakeMessage: clientHelloMessage(body: body)) }
    }

    /// Overwrites each byte of a real hello with 0x00 and with 0xFF: every result parses or throws.
    @Test func corruptedBytesNeverCrash() {
        let message = Array(RealClientHellos.curl.dropFirst(5))  // one record: drop its header
        var rejected = 0
        for index in message.indices {
            for value: UInt8 in [0x00, 0xFF] {
                var corrupted = message
                corrupted[index] = value
                if (try? ClientHello(handshakeMessage: corrupted)) == nil { rejected += 1 }
            }
        }
        #expect(rejected > 0)
    }
}
