import Testing
@testable import ProxyProtocol

@Suite struct ProxyHeaderDecoderTests {
    static let v1Line = [UInt8](ascii: "PROXY TCP6 2001:db8::7 2001:db8::1 50000 993\r\n")
    static let samples: [[UInt8]] = [v1Line, ProxyV2Tests.imapsBytes]

    @Test(arguments: samples)
    func everyTruncationAsksForMore(header: [UInt8]) {
        for length in 0..<header.count {
            #expect(decode(Array(header.prefix(length))) == .needMore, "truncated at \(length)")
        }
    }

    @Test(arguments: samples)
    func byteByByteDeliveryCompletesOnTheLastHeaderByte(header: [UInt8]) {
        var decoder = ProxyHeaderDecoder()
        for byte in header.dropLast() {
            #expect(decoder.feed([byte]) == .needMore)
        }
        guard case .header(_, let consumed) = decoder.feed([header[header.count - 1]]) else {
            Issue.record("no header after the last byte")
            return
        }
        #expect(consumed == 1)
    }

    @Test(arguments: samples)
    func consumedCountsOnlyTheLatestChunk(header: [UInt8]) {
        let greeting = [UInt8](ascii: "a001 CAPABILITY\r\n")
        let stream = header + greeting
        for split in 1..<header.count {
            var decoder = ProxyHeaderDecoder()
            #expect(decoder.feed(stream[..<split]) == .needMore)
            let tail = Array(stream[split...])
            guard case .header(_, let consumed) = decoder.feed(tail) else {
                Issue.record("no header with split at \(split)")
                continue
            }
            #expect(Array(tail[consumed...]) == greeting, "split at \(split)")
        }
    }

    @Test func afterTheHeaderFurtherBytesAreNotHeader() {
        var decoder = ProxyHeaderDecoder()
        guard case .header(let header, _) = decoder.feed(Self.v1Line) else {
            Issue.record("no header")
            return
        }
        #expect(decoder.feed([UInt8](ascii: "PROXY UNKNOWN\r\n")) == .header(header, consumed: 0))
    }

    @Test func afterAnInvalidHeaderTheDecoderStaysInvalid() {
        var decoder = ProxyHeaderDecoder()
        let first = decoder.feed([UInt8](ascii: "GET / HTTP/1.1\r\n"))
        #expect(isInvalid(first))
        #expect(decoder.feed(Self.v1Line) == first)
    }

    @Test(arguments: [
        [UInt8](ascii: "a001 LOGIN alice secret\r\n"),          // a client talking IMAP directly
        [0x16, 0x03, 0x01, 0x00, 0xC8],                           // a TLS ClientHello
        [UInt8](ascii: "EHLO client.example\r\n"),
        [0x00],
    ])
    func nonProxyTrafficIsRefusedOnTheFirstByte(bytes: [UInt8]) {
        #expect(isInvalid(decode(Array(bytes.prefix(1)))))
    }

    @Test func emptyInputAsksForMore() {
        #expect(decode([]) == .needMore)
    }

    /// Deterministic random corruption of valid headers, and random noise:
    /// every result must be one of the three outcomes with a sane count.
    @Test func corruptedInputNeverCrashesAndNeverOverConsumes() {
        var random = SplitMix64(seed: 0x7115_F100)
        for round in 0..<3000 {
            var bytes: [UInt8]
            if round % 4 == 3 {
                bytes = (0..<Int(random.next() % 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                if !bytes.isEmpty { bytes[0] = random.next() % 2 == 0 ? 0x0D : 0x50 }
            } else {
                bytes = Self.samples[round % 2]
                for _ in 0...(random.next() % 3) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            switch decode(bytes) {
            case .header(_, let consumed):
                #expect(consumed > 0 && consumed <= bytes.count)
            case .needMore, .invalid:
                break
            }
        }
    }
}

/// A small seeded generator so the corruption test is reproducible.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
