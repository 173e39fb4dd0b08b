/// A notice template: mail headers (at least `Subject:`), a blank line, then the body, with
/// `{{user}}`, `{{devices}}` and `{{cutoff}}` where the values go. Checked when it is read —
/// an unknown placeholder is a typo that would otherwise reach every user in the log.
public struct NoticeTemplate: Sendable, Equatable {
    public enum Placeholder: String, Sendable, CaseIterable {
        /// The login name.
        case user
        /// The user's devices, one entry each (`DeviceList`); body only, it spans lines.
        case devices
        /// The switch-off date, as given to `--cutoff`.
        case cutoff
    }

    /// Literal text and placeholders, in order.
    enum Piece: Sendable, Equatable {
        case text(String)
        case placeholder(Placeholder)
    }

    struct Header: Sendable, Equatable {
        let name: String
        let value: [Piece]
    }

    /// Headers `notify` writes itself; a template setting one would make two.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "date", "message-id", "mime-version", "content-type",
        "content-transfer-encoding", "auto-submitted",
    ]

    let headers: [Header]
    let body: [Piece]

    public init(_ text: String) throws(NoticeTemplateError) {
        let lines = text.replacing("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        guard let blank = lines.firstIndex(where: \.isEmpty) else {
            throw NoticeTemplateError("no blank line between the headers and the body")
        }
        var headers: [Header] = []
        for (number, line) in lines[..<blank].enumerated() {
            if line.first == " " || line.first == "\t", let last = headers.popLast() {
                // A folded header continues the one before.
                headers.append(Header(name: last.name, value: last.value + (try Self.pieces(" " + line.drop { $0 == " " || $0 == "\t" }, line: number + 1))))
                continue
            }
            guard let colon = line.firstIndex(of: ":"), line[..<colon].allSatisfy(Self.isHeaderNameCharacter),
                  colon != line.startIndex
            else { throw NoticeTemplateError("line \(number + 1): not a header (`Name: value`) but the body has not started") }
            let name = String(line[..<colon])
            guard !Self.reservedHeaders.contains(name.lowercased()) else {
                throw NoticeTemplateError("line \(number + 1): \(name) is written by tlsfloord notify, not by the template")
            }
            let value = try Self.pieces(line[line.index(after: colon)...].drop { $0 == " " }, line: number + 1)
            guard !value.contains(.placeholder(.devices)) else {
                throw NoticeTemplateError("line \(number + 1): {{devices}} spans lines and belongs in the body")
            }
            headers.append(Header(name: name, value: value))
        }
        guard headers.contains(where: { $0.name.lowercased() == "subject" }) else {
            throw NoticeTemplateError("no Subject: header")
        }
        self.headers = headers
        body = try Self.pieces(lines[(blank + 1)...].joined(separator: "\n"), line: blank + 2)
    }

    /// The placeholders the template uses, so the command can insist on `--cutoff` only when needed.
    public var placeholders: Set<Placeholder> {
        Set((headers.flatMap(\.value) + body).compactMap {
            if case .placeholder(let placeholder) = $0 { return placeholder }
            return nil
        })
    }

    /// Headers and body with the values filled in; a placeholder without a value stays empty.
    public func render(_ values: [Placeholder: String]) -> (headers: [(name: String, value: String)], body: String) {
        func fill(_ pieces: [Piece]) -> String {
            pieces.map { piece in
                switch piece {
                case .text(let text): text
                case .placeholder(let placeholder): values[placeholder] ?? ""
                }
            }.joined()
        }
        return (headers.map { ($0.name, fill($0.value)) }, fill(body))
    }

    /// Splits text at `{{name}}` (spaces inside the braces allowed).
    private static func pieces(_ text: some StringProtocol, line: Int) throws(NoticeTemplateError) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw NoticeTemplateError("from line \(line): `{{` without `}}`")
            }
            let name = rest[open.upperBound..<close.lowerBound].filter { $0 != " " }
            guard let placeholder = Placeholder(rawValue: name) else {
                let known = Placeholder.allCases.map { "{{\($0.rawValue)}}" }.joined(separator: ", ")
                throw NoticeTemplateError("from line \(line): unknown placeholder {{\(name)}} (known: \(known))")
            }
            pieces.append(.placeholder(placeholder))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return pieces
    }

    /// RFC 5322 field names: printable ASCII except the colon.
    private static func isHeaderNameCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        return ascii > 0x20 && ascii < 0x7F && character != ":"
    }
}

/// A template that cannot be used, and why: `tlsfloord: TEMPLATE: REASON`.
public struct NoticeTemplateError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
