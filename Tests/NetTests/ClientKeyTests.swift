import Testing
@testable import Net

@Suite struct ClientKeyTests {
    private func key(_ bytes: [UInt8]) -> ClientKey? { ClientKey(addressBytes: bytes) }

    private static let mapped: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]

    @Test func ipv4IsCountedPerAddress() {
        #expect(key([192, 0, 2, 7]) != key([192, 0, 2, 8]))
        #expect(key([192, 0, 2, 7])?.description == "192.0.2.7")
    }

    @Test func ipv4MappedIntoIPv6IsTheSameClient() {
        #expect(key(Self.mapped + [192, 0, 2, 7]) == key([192, 0, 2, 7]))
    }

    @Test func ipv6IsCountedPerSlash64() {
        let network: [UInt8] = [0x20, 0x01, 0x0D, 0xB8, 0, 1, 0, 2]
        let first = key(network + [0, 0, 0, 0, 0, 0, 0, 1])
        let privacyAddress = key(network + [0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x07, 0x18])
        let nextNetwork = key([0x20, 0x01, 0x0D, 0xB8, 0, 1, 0, 3] + [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(first == privacyAddress)
        #expect(first != nextNetwork)
        #expect(first?.description == "2001:db8:1:2::/64")
        #expect(key(Array(repeating: 0, count: 16))?.description == "::/64")
        #expect(key([0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 12))?.description == "2001:db8::/64")
    }

    @Test func otherLengthsAreNotAddresses() {
        #expect(key([]) == nil)
        #expect(key([127, 0, 0]) == nil)
    }
}
