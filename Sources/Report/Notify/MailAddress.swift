import Foundation

/// A mail address (`local@domain`) that is safe to put into an SMTP command, a header and
/// a `sendmail` argument. Login names are what clients typed, so anything unusual is refused
/// rather than quoted: ASCII dot-atoms only (no quoted local parts, no address literals, no
/// SMTPUTF8), and no leading `-`, which `sendmail` would read as an option.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    public init?(_ text: some StringProtocol) {
        let text = Substring(text)
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, text.utf8.count <= 254,
              Self.isDotAtom(parts[0], allowed: Self.localCharacters), parts[0].utf8.count <= 64,
              Self.isDotAtom(parts[1], allowed: Self.domainCharacters), parts[1].contains("."),
              parts[0].first != "-"
        else { return nil }
        localPart = String(parts[0])
        domain = String(parts[1])
    }

    public var description: String { "\(localPart)@\(domain)" }

    private static let alphanumerics = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    /// RFC 5322 `atext`.
    private static let localCharacters = alphanumerics.union("!#$%&'*+-/=?^_`{|}~")
    private static let domainCharacters = alphanumerics.union("-")

    /// Atoms of `allowed` characters joined by single dots.
    private static func isDotAtom(_ text: Substring, allowed: Set<Character>) -> Bool {
        let atoms = text.split(separator: ".", omittingEmptySubsequences: false)
        return atoms.allSatisfy { !$0.isEmpty && $0.allSatisfy(allowed.contains) }
    }
}

/// `--from`: `postmaster@example.org` or `Example Mail <postmaster@example.org>`.
public struct NoticeSender: Sendable, Equatable {
    public let address: MailAddress
    public let displayName: String?

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            guard let address = MailAddress(trimmed) else { return nil }
            self.address = address
            displayName = nil
            return
        }
        guard let address = MailAddress(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        else { return nil }
        let name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        guard !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        self.address = address
        displayName = name.isEmpty ? nil : name
    }
}
