import Testing
@testable import ProxyProtocol

@Suite struct ProxyV2Tests {
    /// What tlsfloord sends for an IMAPS client: TCP over IPv4, ALPN,
    /// SNI, and the SSL TLV Dovecot needs to call the session secured.
    static let imapsHeader: ProxyHeader = {
        var header = ipHeader("192.0.2.9", 50000, "192.0.2.1", 993)
        header.alpn = Array("imap".utf8)
        header.authority = "mail.example.org"
        header.ssl = ProxySSL(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384")
        return header
    }()

    /// `imapsHeader` laid out by hand from the spec's section 2.2.
    static let imapsBytes: [UInt8] = specV2Signature
        + [0x21, 0x11, 0x00, 81]                       // v2 PROXY, TCP over IPv4, 81 bytes follow
        + [192, 0, 2, 9, 192, 0, 2, 1, 0xC3, 0x50, 0x03, 0xE1]
        + [0x01, 0x00, 4] + Array("imap".utf8)         // PP2_TYPE_ALPN
        + [0x02, 0x00, 16] + Array("mail.example.org".utf8)  // PP2_TYPE_AUTHORITY
        + [0x20, 0x00, 40, 0x01, 0, 0, 0, 0]           // PP2_TYPE_SSL: PP2_CLIENT_SSL, verify 0
        + [0x21, 0x00, 7] + Array("TLSv1.3".utf8)      //   PP2_SUBTYPE_SSL_VERSION
        + [0x23, 0x00, 22] + Array("TLS_AES_256_GCM_SHA384".utf8)  // PP2_SUBTYPE_SSL_CIPHER

    // MARK: encoder, byte for byte

    @Test func tlsClientHeaderMatchesTheSpecLayout() throws {
        #expect(try Self.imapsHeader.encodedV2() == Self.imapsBytes)
        #expect(try Self.imapsHeader.encoded(as: .v2) == Self.imapsBytes)
    }

    @Test func localHealthCheckIsSixteenBytesWithUnspecifiedFamily() throws {
        #expect(try ProxyHeader.local.encodedV2() == specV2Signature + [0x20, 0x00, 0x00, 0x00])
    }

    @Test func unknownAddressesAreSentAsProxyWithUnspecifiedFamily() throws {
        #expect(try ProxyHeader(addresses: nil).encodedV2() == specV2Signature + [0x21, 0x00, 0x00, 0x00])
    }

    @Test func ipv6PairUsesFamily0x21And36AddressBytes() throws {
        let header = ipHeader("2001:db8::7", 443, "::1", 993)
        let expected = specV2Signature + [0x21, 0x21, 0x00, 36]
            + [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [7]
            + [UInt8](repeating: 0, count: 15) + [1]
            + [0x01, 0xBB, 0x03, 0xE1]
        #expect(try header.encodedV2() == expected)
    }

    @Test func mixedFamiliesAreSentAsIPv6WithTheIPv4EndMapped() throws {
        let header = ipHeader("192.0.2.9", 1, "2001:db8::1", 2)
        let bytes = try header.encodedV2()
        #expect(bytes[13] == 0x21)
        #expect(Array(bytes[16..<32]) == [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 192, 0, 2, 9])
        #expect(decodedHeader(bytes) == ipHeader("::ffff:192.0.2.9", 1, "2001:db8::1", 2))
    }

    @Test func dualStackMappedPairIsSentAsIPv4() throws {
        let bytes = try ipHeader("::ffff:192.0.2.9", 1, "::ffff:192.0.2.1", 2).encodedV2()
        #expect(bytes == specV2Signature + [0x21, 0x11, 0x00, 12, 192, 0, 2, 9, 192, 0, 2, 1, 0, 1, 0, 2])
    }

    @Test func unixPathsArePaddedTo108Bytes() throws {
        let header = ProxyHeader(addresses: .unix(source: try #require(ProxyUnixPath("/run/a")),
                                                  destination: try #require(ProxyUnixPath("/run/b"))))
        let bytes = try header.encodedV2()
        #expect(Array(bytes[12..<16]) == [0x21, 0x31, 0x00, 216])
        #expect(bytes.count == 16 + 216)
        #expect(Array(bytes[16..<22]) == Array("/run/a".utf8))
        #expect(bytes[22..<124].allSatisfy { $0 == 0 })
        #expect(decodedHeader(bytes) == header)
    }

    @Test func oversizedTLVsAreAnEncodingErrorNotACrash() {
        var header = ipHeader("192.0.2.9", 1, "192.0.2.1", 2)
        header.otherTLVs = [ProxyTLV(type: 0xE0, value: [UInt8](repeating: 1, count: 65536))]
        #expect(throws: ProxyEncodingError.self) { try header.encodedV2() }
        header.otherTLVs = [ProxyTLV(type: 0xE0, value: [UInt8](repeating: 1, count: 40000)),
                            ProxyTLV(type: 0xE1, value: [UInt8](repeating: 1, count: 40000))]
        #expect(throws: ProxyEncodingError.self) { try header.encodedV2() }
    }

    // MARK: decoder

    @Test func tlsClientHeaderDecodesWithAllTLVs() {
        #expect(decode(Self.imapsBytes + Array("a001 LOGIN".utf8)) == .header(Self.imapsHeader, consumed: 97))
    }

    @Test(arguments: [
        ipHeader("2001:db8::7", 50000, "2001:db8::1", 995),
        ProxyHeader.local,
        ProxyHeader(addresses: nil, authority: "é.example", otherTLVs: [ProxyTLV(type: 0x05, value: [1, 2, 3])]),
        ProxyHeader(addresses: nil, ssl: ProxySSL(client: [.ssl, .certificateOnConnection, .certificateInSession],
                                                  verify: 20, version: "TLSv1.2", cipher: nil,
                                                  otherSubTLVs: [ProxyTLV(type: 0x22, value: Array("alice".utf8))])),
        ProxyHeader(addresses: nil, alpn: [], ssl: ProxySSL(client: [], version: nil, cipher: nil)),
    ])
    func encodedHeadersDecodeToTheSameHeader(header: ProxyHeader) throws {
        let bytes = try header.encodedV2()
        #expect(decode(bytes) == .header(header, consumed: bytes.count))
    }

    @Test func localCommandIgnoresTheAddressBlockButReadsTLVs() {
        let bytes = specV2Signature + [0x20, 0x11, 0x00, 19]
            + [192, 0, 2, 9, 192, 0, 2, 1, 0, 1, 0, 2]
            + [0x02, 0x00, 4] + Array("host".utf8)
        #expect(decodedHeader(bytes) == ProxyHeader(command: .local, addresses: nil, authority: "host"))
    }

    @Test func datagramFamiliesFallBackToUnknownAddresses() {
        let bytes = specV2Signature + [0x21, 0x12, 0x00, 12, 192, 0, 2, 9, 192, 0, 2, 1, 0, 53, 0, 53]
        #expect(decodedHeader(bytes) == ProxyHeader(command: .proxy, addresses: nil))
    }

    @Test func noopTLVsAreDroppedAndCustomOnesKept() {
        let bytes = specV2Signature + [0x21, 0x00, 0x00, 10]
            + [0x04, 0x00, 2, 0xAA, 0xBB]
            + [0xE0, 0x00, 2, 0xCC, 0xDD]
        #expect(decodedHeader(bytes) == ProxyHeader(addresses: nil, otherTLVs: [ProxyTLV(type: 0xE0, value: [0xCC, 0xDD])]))
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func checksummedHeaderIsVerified() {
        var bytes = specV2Signature + [0x21, 0x11, 0x00, 19, 192, 0, 2, 9, 192, 0, 2, 1, 0, 1, 0, 2]
            + [0x03, 0x00, 4, 0, 0, 0, 0]
        let checksum = CRC32C.checksum(bytes)
        bytes.replaceSubrange(31..<35, with: [24, 16, 8, 0].map { UInt8((checksum >> $0) & 0xFF) })
        #expect(decodedHeader(bytes) == ipHeader("192.0.2.9", 1, "192.0.2.1", 2))
        bytes[19] ^= 0x01   // the source address, altered in transit
        #expect(isInvalid(decode(bytes)))
    }

    // MARK: malformed headers

    @Test(arguments: 0..<12)
    func anyAlteredSignatureByteIsInvalid(index: Int) {
        var bytes = Self.imapsBytes
        bytes[index] ^= 0x40
        #expect(isInvalid(decode(bytes)))
    }

    @Test(arguments: [UInt8(0x11), 0x31, 0x01, 0x22, 0x2F])
    func unknownVersionOrCommandIsInvalid(versionCommand: UInt8) {
        #expect(isInvalid(decode(specV2Signature + [versionCommand])))
    }

    @Test(arguments: [UInt8(0x01), 0x10, 0x13, 0x23, 0x33, 0x41, 0xFF])
    func undefinedFamilyByteIsInvalid(family: UInt8) {
        #expect(isInvalid(decode(specV2Signature + [0x21, family])))
    }

    @Test(arguments: [(UInt8(0x11), 11), (0x21, 35), (0x31, 215)])
    func lengthShorterThanTheAddressBlockIsInvalid(family: UInt8, length: Int) {
        let bytes = specV2Signature + [0x21, family, UInt8(length >> 8), UInt8(length & 0xFF)]
        #expect(isInvalid(decode(bytes + [UInt8](repeating: 0, count: length))))
    }

    @Test func lengthBeyondTheLimitIsInvalidAsSoonAsItIsRead() {
        #expect(isInvalid(decode(specV2Signature + [0x21, 0x00, 0xFF, 0xFF])))
        #expect(decode(specV2Signature + [0x21, 0x00, 0x0F, 0xF0]) == .needMore)    // 16 + 4080 = 4096
        #expect(isInvalid(decode(specV2Signature + [0x21, 0x00, 0x0F, 0xF1])))
        #expect(isInvalid(decode(specV2Signature + [0x21, 0x00, 0x01, 0x00], maximumLength: 256)))
    }

    @Test(arguments: [
        [0x02, 0x00, 5] + Array("host".utf8),          // TLV claims one byte more than the header holds
        [0x02, 0x00],                                   // TLV header cut short
        [0xE0],
        [0x20, 0x00, 4, 0x01, 0, 0, 0],                 // SSL value shorter than client + verify
        [0x20, 0x00, 8, 0x01, 0, 0, 0, 0, 0x21, 0x00, 9],  // SSL sub-TLV overruns the SSL value
        [0x20, 0x00, 7, 0x01, 0, 0, 0, 0, 0x21, 0x00],
        [0x20, 0x00, 9, 0x01, 0, 0, 0, 0, 0x21, 0x00, 1, 0xC3],  // version not US-ASCII
        [0x02, 0x00, 2, 0xC3, 0x28],                    // authority not UTF-8
        [0x02, 0x00, 1, 0x61, 0x02, 0x00, 1, 0x62],     // authority twice
        [0x03, 0x00, 3, 0, 0, 0],                       // CRC32C of the wrong size
    ] as [[UInt8]])
    func malformedTLVAreaIsInvalid(tlvs: [UInt8]) {
        let bytes = specV2Signature + [0x21, 0x00, 0x00, UInt8(tlvs.count)] + tlvs
        #expect(isInvalid(decode(bytes)))
    }

    @Test func lengthClaimingTheClientsDataAsTLVsIsInvalid() {
        // The length says 4 more bytes than the addresses: the client's "a001"
        // would be read as a TLV of type 'a' and length 0x3030.
        let bytes = specV2Signature + [0x21, 0x11, 0x00, 16, 192, 0, 2, 9, 192, 0, 2, 1, 0, 1, 0, 2]
            + Array("a001 LOGIN".utf8)
        #expect(isInvalid(decode(bytes)))
    }
}
