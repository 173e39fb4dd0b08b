import Testing
@testable import ProxyProtocol

@Suite struct ProxyV1Tests {
    // MARK: the spec's examples (section 2.1)

    @Test func specExampleDecodesAndLeavesTheRequestForTheApplication() {
        let line = [UInt8](ascii: "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n")
        let request = [UInt8](ascii: "GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n")
        var decoder = ProxyHeaderDecoder()
        let result = decoder.feed(line + request)
        #expect(result == .header(ipHeader("192.168.0.1", 56324, "192.168.0.11", 443), consumed: line.count))
    }

    @Test func specExampleIsWhatTheEncoderWrites() {
        let header = ipHeader("192.168.0.1", 56324, "192.168.0.11", 443)
        #expect(header.encodedV1() == [UInt8](ascii: "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"))
    }

    @Test func specLongestLinesAreAccepted() throws {
        let ipv4 = [UInt8](ascii: "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n")
        #expect(ipv4.count == 56)
        #expect(decodedHeader(ipv4) == ipHeader("255.255.255.255", 65535, "255.255.255.255", 65535))

        let full = Array(repeating: "ffff", count: 8).joined(separator: ":")
        let ipv6 = [UInt8](ascii: "PROXY TCP6 \(full) \(full) 65535 65535\r\n")
        #expect(ipv6.count == 104)
        #expect(decodedHeader(ipv6) == ipHeader(full, 65535, full, 65535))

        let unknown = [UInt8](ascii: "PROXY UNKNOWN \(full) \(full) 65535 65535\r\n")
        #expect(unknown.count == 107)
        #expect(decodedHeader(unknown) == ProxyHeader(command: .proxy, addresses: nil))
        #expect(decodedHeader([UInt8](ascii: "PROXY UNKNOWN\r\n")) == ProxyHeader(command: .proxy, addresses: nil))
    }

    @Test func aLineOf108BytesIsRefusedEvenWithCRLF() {
        let full = Array(repeating: "ffff", count: 8).joined(separator: ":")
        let line = [UInt8](ascii: "PROXY UNKNOWN \(full) \(full) 65535 655350\r\n")
        #expect(line.count == 108)
        #expect(isInvalid(decode(line)))
    }

    // MARK: encoder

    @Test func ipv6PairIsSentAsTCP6() {
        let header = ipHeader("2001:db8::7", 50123, "2001:db8::1", 993)
        #expect(header.encodedV1() == [UInt8](ascii: "PROXY TCP6 2001:db8::7 2001:db8::1 50123 993\r\n"))
    }

    @Test func mixedFamiliesAreSentAsTCP6WithTheIPv4EndMapped() {
        let header = ipHeader("2001:db8::7", 50123, "192.0.2.1", 993)
        #expect(header.encodedV1() == [UInt8](ascii: "PROXY TCP6 2001:db8::7 ::ffff:192.0.2.1 50123 993\r\n"))
    }

    @Test func dualStackMappedPairIsSentAsPlainTCP4() {
        let header = ipHeader("::ffff:198.51.100.7", 50123, "::ffff:192.0.2.1", 993)
        #expect(header.encodedV1() == [UInt8](ascii: "PROXY TCP4 198.51.100.7 192.0.2.1 50123 993\r\n"))
    }

    @Test func localUnknownAndUnixHeadersAreSentAsUnknown() throws {
        let unix = ProxyHeader(addresses: .unix(source: try #require(ProxyUnixPath("/a")),
                                                destination: try #require(ProxyUnixPath("/b"))))
        for header in [ProxyHeader.local, ProxyHeader(addresses: nil), unix] {
            #expect(header.encodedV1() == [UInt8](ascii: "PROXY UNKNOWN\r\n"))
        }
    }

    @Test func tlvsAreLeftOutOfV1() {
        var header = ipHeader("192.0.2.9", 1, "192.0.2.1", 2)
        header.authority = "mail.example.org"
        header.ssl = ProxySSL(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256")
        #expect(header.encodedV1() == [UInt8](ascii: "PROXY TCP4 192.0.2.9 192.0.2.1 1 2\r\n"))
    }

    @Test(arguments: [
        ipHeader("192.0.2.9", 0, "192.0.2.1", 65535),
        ipHeader("2001:db8::7", 12345, "::1", 143),
        ipHeader("::", 1, "ffff::", 2),
    ])
    func encodedLinesDecodeToTheSameHeader(header: ProxyHeader) {
        let line = header.encodedV1()
        #expect(decode(line) == .header(header, consumed: line.count))
    }

    // MARK: malformed lines

    @Test(arguments: [
        "PROXY TCP4 192.0.2.9 192.0.2.1 1 65536\r\n",        // port out of range
        "PROXY TCP4 192.0.2.9 192.0.2.1 01 2\r\n",           // leading zero in port
        "PROXY TCP4 192.0.2.9 192.0.2.1 -1 2\r\n",
        "PROXY TCP4 192.0.2.9 192.0.2.1 +1 2\r\n",
        "PROXY TCP4 192.0.2.9 192.0.2.1 1 \r\n",
        "PROXY TCP4 192.0.2.9 192.0.2.1 1 2 3\r\n",          // extra field
        "PROXY TCP4 192.0.2.9 192.0.2.1 1\r\n",              // missing field
        "PROXY TCP4 192.0.2.9  192.0.2.1 1 2\r\n",           // double space
        "PROXY TCP4 192.0.2.256 192.0.2.1 1 2\r\n",          // bad address
        "PROXY TCP4 192.0.02.9 192.0.2.1 1 2\r\n",           // leading zero in address
        "PROXY TCP4 2001:db8::7 192.0.2.1 1 2\r\n",          // family mismatch
        "PROXY TCP6 192.0.2.9 2001:db8::1 1 2\r\n",
        "PROXY TCP6 2001:db8:::7 2001:db8::1 1 2\r\n",
        "PROXY TCP6 [2001:db8::7] 2001:db8::1 1 2\r\n",
        "PROXY UDP4 192.0.2.9 192.0.2.1 1 2\r\n",            // unknown protocol
        "PROXY tcp4 192.0.2.9 192.0.2.1 1 2\r\n",
        "PROXY UNKNOWNX\r\n",
        "PROXY \r\n",
        "PROXY  TCP4 192.0.2.9 192.0.2.1 1 2\r\n",
        "PROXY TCP4 192.0.2.9 192.0.2.1 1 2\n",              // LF alone
        "PROXY TCP4 192.0.2.9 192.0.2.1 1 2\rX\n",           // CR alone
        "PROXY TCP4 192.0.2.9 192.0.2.1 1 2\t\r\n",          // control character
        "PROXY\tTCP4 192.0.2.9 192.0.2.1 1 2\r\n",
        "PROXYTCP4 192.0.2.9 192.0.2.1 1 2\r\n",
        "proxy TCP4 192.0.2.9 192.0.2.1 1 2\r\n",
    ])
    func malformedLineIsInvalid(line: String) {
        #expect(isInvalid(decode([UInt8](ascii: line))))
    }

    @Test func aNULByteInsideAnAddressIsRefused() {
        let line = [UInt8](ascii: "PROXY TCP4 192.0.2.9") + [0] + [UInt8](ascii: "9 192.0.2.1 1 2\r\n")
        #expect(isInvalid(decode(line)))
    }

    @Test func aLineWithoutCRLFIsRefusedOnceItReaches107Bytes() {
        let line = [UInt8](ascii: "PROXY UNKNOWN ") + [UInt8](repeating: 0x61, count: 92)
        #expect(line.count == 106)
        #expect(decode(line) == .needMore)
        #expect(isInvalid(decode(line + [0x61])))
    }

    @Test func aWrongByteIsRefusedBeforeTheLineEnds() {
        #expect(isInvalid(decode([UInt8](ascii: "PROXX"))))
        #expect(decode([UInt8](ascii: "PROXY TCP4 192.0.2.9\r")) == .needMore)
        #expect(isInvalid(decode([UInt8](ascii: "PROXY TCP4 192.0.2.9\rA"))))
    }
}
