import Testing
@testable import Mail

@Suite struct LineReaderTests {
    @Test func splitsCRLFAndBareLFAndKeepsTheTerminator() {
        var reader = LineReader(maxLineLength: 100)
        reader.append(wire("one\r\ntwo\nthr"))
        #expect(reader.next() == .line(Line(content: wire("one"), terminator: [13, 10])))
        #expect(reader.next() == .line(Line(content: wire("two"), terminator: [10])))
        #expect(reader.next() == nil)
        reader.append(wire("ee\r"))
        #expect(reader.next() == nil)
        reader.append(wire("\n"))
        #expect(reader.next() == .line(Line(content: wire("three"), terminator: [13, 10])))
    }

    @Test func reportsAnEndlessLineOnceAndDropsItsBytes() {
        var reader = LineReader(maxLineLength: 8)
        reader.append(wire("0123456789"))
        #expect(reader.next() == .overlong)
        reader.append(wire("more bytes of the same line"))
        #expect(reader.next() == nil)
        #expect(reader.pending.isEmpty)
        reader.append(wire(" end\r\nok\r\n"))
        #expect(reader.next() == .line(Line(content: wire("ok"), terminator: [13, 10])))
    }

    @Test func aLineOfExactlyTheLimitIsAcceptedEvenWhenItsCRArrivesAlone() {
        var reader = LineReader(maxLineLength: 4)
        reader.append(wire("abcd\r"))
        #expect(reader.next() == nil)
        reader.append(wire("\nabcde\r\n"))
        #expect(reader.next() == .line(Line(content: wire("abcd"), terminator: [13, 10])))
        #expect(reader.next() == .overlong)
    }

    @Test func aRelayReaderKeepsOverlongBytesForDrain() {
        var reader = LineReader(maxLineLength: 4, dropsOverlongLines: false)
        reader.append(wire("abcdefgh"))
        #expect(reader.next() == .overlong)
        #expect(reader.drain() == wire("abcdefgh"))
    }
}
