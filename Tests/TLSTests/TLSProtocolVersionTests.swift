import Testing
@testable import TLS

@Suite struct TLSProtocolVersionTests {
    @Test func namesMatchTheLogSpelling() {
        #expect(TLSProtocolVersion.sslv3.description == "SSLv3")
        #expect(TLSProtocolVersion.tlsv1_0.description == "TLSv1.0")
        #expect(TLSProtocolVersion.tlsv1_1.description == "TLSv1.1")
        #expect(TLSProtocolVersion.tlsv1_2.description == "TLSv1.2")
        #expect(TLSProtocolVersion(rawValue: 0x0304).description == "TLSv1.3")
        #expect(TLSProtocolVersion.sslv2.description == "SSLv2")
    }

    @Test func unknownValuesAreFourHexDigits() {
        #expect(TLSProtocolVersion(rawValue: 0x7F1C).description == "0x7f1c")
        #expect(TLSProtocolVersion(rawValue: 0x0A0A).description == "0x0a0a")
        #expect(TLSProtocolVersion(rawValue: 0xFEFD).description == "0xfefd")
    }

    @Test func versionsOrderOldestFirst() {
        let shuffled: [TLSProtocolVersion] = [.tlsv1_3, .sslv3, .tlsv1_0, .tlsv1_2, .tlsv1_1]
        #expect(shuffled.sorted() == [.sslv3, .tlsv1_0, .tlsv1_1, .tlsv1_2, .tlsv1_3])
        #expect(TLSProtocolVersion.tlsv1_1 < .tlsv1_2)
    }

    @Test func allSixteenGREASEValuesAndNothingElse() {
        let grease: [UInt16] = (0 ... UInt16.max).filter { TLSProtocolVersion(rawValue: $0).isGREASE }
        let expected: [UInt16] = [0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0x4A4A, 0x5A5A, 0x6A6A, 0x7A7A,
                                  0x8A8A, 0x9A9A, 0xAAAA, 0xBABA, 0xCACA, 0xDADA, 0xEAEA, 0xFAFA]
        #expect(grease == expected)
    }
}
