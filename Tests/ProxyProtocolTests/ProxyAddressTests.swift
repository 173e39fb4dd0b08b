import Testing
@testable import ProxyProtocol

@Suite struct ProxyAddressTests {
    @Test func ipv4EndpointRendersAsAddressColonPort() throws {
        let address = try #require(ProxyIPAddress(bytes: [192, 0, 2, 1]))
        #expect(ProxyIPEndpoint(address: address, port: 443).description == "192.0.2.1:443")
    }

    @Test func ipv6EndpointRendersInBracketsInShortestForm() throws {
        let bytes: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1]
        let address = try #require(ProxyIPAddress(bytes: bytes))
        #expect(ProxyIPEndpoint(address: address, port: 993).description == "[2001:db8::1]:993")
    }

    @Test(arguments: [0, 3, 5, 15, 17])
    func rawAddressesOfOtherLengthsAreRefused(length: Int) {
        #expect(ProxyIPAddress(bytes: [UInt8](repeating: 1, count: length)) == nil)
    }

    @Test(arguments: ["192.0.2.1", "2001:db8::1", "::", "::ffff:192.0.2.1", "255.255.255.255"])
    func textRoundTrips(text: String) throws {
        #expect(try #require(ProxyIPAddress(text)).description == text)
    }

    @Test(arguments: ["", "192.0.2", "192.0.2.256", "01.2.3.4", "[::1]", "2001:db8::1%eth0", "192.0.2.1\0junk", "host"])
    func malformedTextIsRefused(text: String) {
        #expect(ProxyIPAddress(text) == nil)
    }

    @Test func mappedAddressUnmapsToIPv4AndBack() throws {
        let mapped = try #require(ProxyIPAddress("::ffff:198.51.100.7"))
        #expect(mapped.unmapped == ProxyIPAddress("198.51.100.7"))
        #expect(mapped.unmapped.mappedToIPv6 == mapped)
        let plainIPv6 = try #require(ProxyIPAddress("2001:db8::ffff:c633:6407"))
        #expect(plainIPv6.unmapped == plainIPv6)
    }

    @Test func unixPathDropsNULPaddingAndRefusesOverlongPaths() throws {
        let padded = Array("/run/front.sock".utf8) + [UInt8](repeating: 0, count: 93)
        #expect(try #require(ProxyUnixPath(bytes: padded)).description == "/run/front.sock")
        #expect(ProxyUnixPath(bytes: [UInt8](repeating: 0x61, count: 108)) != nil)
        #expect(ProxyUnixPath(bytes: [UInt8](repeating: 0x61, count: 109)) == nil)
        #expect(try #require(ProxyUnixPath(bytes: [0] + Array("tlsfloor".utf8))).description == "@tlsfloor")
    }

    @Test func addressesDescribeBothEnds() {
        let addresses = ProxyAddresses.ip(source: endpoint("2001:db8::7", 50000), destination: endpoint("192.0.2.1", 993))
        #expect(addresses.sourceDescription == "[2001:db8::7]:50000")
        #expect(addresses.destinationDescription == "192.0.2.1:993")
    }
}
