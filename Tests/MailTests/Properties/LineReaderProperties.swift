import PropertyBased
import Testing
@testable import Mail

/// The reader under every inspector and preamble, against a plain split at LF.
@Suite struct LineReaderProperties {
    /// Bytes rich in line ends, CRs and long runs.
    private static let stream = Gen.int(in: 0...9).map { pick -> [UInt8] in
        switch pick {
        case 0: [10]
        case 1: [13, 10]
        case 2: [13]
        case 3: Array(repeating: UInt8(ascii: "y"), count: 4)
        default: [UInt8(ascii: "a") + UInt8(pick)]
        }
    }.array(of: 0...80).map { $0.flatMap { $0 } }

    /// Short, so that lines at the limit, one byte over, and with a lone CR
    /// waiting at the limit are all common.
    private static let maxLineLength = 8

    /// The events a reader must produce for `input`: one per line ended by
    /// LF (CR before it belongs to the terminator), `.overlong` for those
    /// over the limit, and one `.overlong` for an unfinished tail that is
    /// already over it (one byte of slack for a CR waiting for its LF).
    private func expectedEvents(_ input: [UInt8]) -> [LineReader.Event] {
        var events: [LineReader.Event] = []
        var lineStart = 0
        for (index, byte) in input.enumerated() where byte == 10 {
            let endsWithCR = index > lineStart && input[index - 1] == 13
            let content = Array(input[lineStart..<(endsWithCR ? index - 1 : index)])
            events.append(content.count > Self.maxLineLength
                ? .overlong : .line(Line(content: content, terminator: endsWithCR ? [13, 10] : [10])))
            lineStart = index + 1
        }
        if input.count - lineStart > Self.maxLineLength + 1 { events.append(.overlong) }
        return events
    }

    private func read(_ input: [UInt8], cutInto sizes: [Int], reader: inout LineReader) -> [LineReader.Event] {
        var events: [LineReader.Event] = []
        for chunk in cut(input, into: sizes) {
            reader.append(chunk)
            while let event = reader.next() { events.append(event) }
        }
        return events
    }

    @Test func linesAreTheSameHoweverTheBytesAreCut() async {
        await propertyCheck(count: 500, input: Self.stream, SessionGen.chunkSizes) { input, sizes in
            var reader = LineReader(maxLineLength: Self.maxLineLength)
            #expect(read(input, cutInto: sizes, reader: &reader) == expectedEvents(input))
        }
    }

    /// A relay's reader gives back every byte: lines as read, then the rest.
    @Test func aRelayReaderLosesNoByte() async {
        await propertyCheck(count: 500, input: Self.stream, SessionGen.chunkSizes) { input, sizes in
            var reader = LineReader(maxLineLength: 1000, dropsOverlongLines: false)
            let lines = read(input, cutInto: sizes, reader: &reader).flatMap { event -> [UInt8] in
                if case .line(let line) = event { line.raw } else { [] }
            }
            #expect(lines + reader.drain() == input)
        }
    }
}
