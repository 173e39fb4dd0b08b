import Configuration
import Testing

/// `trusted_proxies` entries decide who may claim another client address,
/// so the matching edges matter.
@Suite struct IPNetworkTests {
    static func bytes(_ text: String) throws -> [UInt8] {
        try IPNetwork(text).address
    }

    @Test func ipv4PrefixMatchesItsBlockOnly() throws {
        let network = try IPNetwork("10.0.0.0/8")
        #expect(network.contains([10, 0, 0, 0]))
        #expect(network.contains([10, 255, 255, 255]))
        #expect(!network.contains([11, 0, 0, 0]))
        #expect(!network.contains([9, 255, 255, 255]))
    }

    @Test func prefixOnANonByteBoundary() throws {
        let network = try IPNetwork("192.0.2.64/27")
        #expect(network.contains([192, 0, 2, 64]))
        #expect(network.contains([192, 0, 2, 95]))
        #expect(!network.contains([192, 0, 2, 96]))
        #expect(!network.contains([192, 0, 2, 63]))
    }

    @Test func bareAddressIsOneHost() throws {
        let ipv4 = try IPNetwork("192.0.2.7")
        #expect(ipv4.prefixLength == 32)
        #expect(ipv4.contains([192, 0, 2, 7]))
        #expect(!ipv4.contains([192, 0, 2, 6]))
        let ipv6 = try IPNetwork("::1")
        #expect(ipv6.prefixLength == 128)
        #expect(ipv6.contains(try Self.bytes("::1")))
        #expect(!ipv6.contains(try Self.bytes("::2")))
    }

    @Test func explicitHostPrefixesBehaveLikeBareAddresses() throws {
        #expect(try IPNetwork("192.0.2.7/32") == IPNetwork("192.0.2.7"))
        #expect(try IPNetwork("2001:db8::7/128") == IPNetwork("2001:db8::7"))
    }

    @Test func ipv6Prefix() throws {
        let network = try IPNetwork("2001:db8::/32")
        #expect(network.contains(try Self.bytes("2001:db8:ffff:ffff::1")))
        #expect(!network.contains(try Self.bytes("2001:db9::1")))
        #expect(!network.contains([32, 1, 13, 184]))   // 4 bytes: an IPv4 address, not a prefix of this one
    }

    @Test func zeroPrefixMatchesEveryAddressOfTheFamily() throws {
        let everyIPv4 = try IPNetwork("0.0.0.0/0")
        #expect(everyIPv4.contains([255, 255, 255, 255]))
        #expect(everyIPv4.contains([0, 0, 0, 0]))
        #expect(!everyIPv4.contains(try Self.bytes("2001:db8::1")))
        #expect(try IPNetwork("::/0").contains(try Self.bytes("2001:db8::1")))
    }

    @Test func mappedIPv6PeerMatchesIPv4Networks() throws {
        let network = try IPNetwork("10.0.0.0/8")
        #expect(network.contains(try Self.bytes("::ffff:10.1.2.3")))
        #expect(!network.contains(try Self.bytes("::ffff:11.1.2.3")))
        // Same last four bytes, but not the mapped prefix: a different address.
        #expect(!network.contains(try Self.bytes("::10.1.2.3")))
        #expect(!network.contains(try Self.bytes("64:ff9b::10.1.2.3")))
    }

    @Test func ipv4PeerMatchesMappedIPv6Networks() throws {
        let network = try IPNetwork("::ffff:10.0.0.0/104")
        #expect(network.contains([10, 9, 8, 7]))
        #expect(!network.contains([11, 9, 8, 7]))
    }

    @Test(arguments: [[], [1, 2, 3], [UInt8](repeating: 0, count: 5), [UInt8](repeating: 0, count: 17)] as [[UInt8]])
    func addressesOfOtherLengthsNeverMatch(address: [UInt8]) throws {
        #expect(!(try IPNetwork("0.0.0.0/0")).contains(address))
        #expect(!(try IPNetwork("::/0")).contains(address))
    }

    @Test(arguments: [
        "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0.0/ 8",
        "10.0.0.0/0x8", "10.0.0.0/1000", "", "/8", "10.0.0", "10.0.0.256/32", "010.0.0.0/8", "[::1]",
        "::1/64%eth0", "localhost", " 10.0.0.0/8", "10.0.0.0\0/8",
    ])
    func malformedTextIsRefusedWithAReason(text: String) {
        #expect(throws: IPNetworkError.self) { try IPNetwork(text) }
    }

    @Test func hostBitsAfterThePrefixAreRefusedNamingTheNetwork() {
        #expect {
            try IPNetwork("10.0.0.1/8")
        } throws: { error in
            "\(error)".contains("10.0.0.0/8")
        }
        #expect(throws: IPNetworkError.self) { try IPNetwork("2001:db8::1/32") }
    }

    @Test(arguments: ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "::1/128", "0.0.0.0/0"])
    func descriptionIsTheCanonicalCIDR(text: String) throws {
        #expect(try IPNetwork(text).description == text)
    }
}
