import COpenSSL
import Configuration
import Foundation

/// Every certificate of one configuration generation, grouped by the names
/// they serve, with the shared ticket keys. Built at start and on each
/// reload (so certificate, OCSP and ticket key files are re-read then);
/// immutable afterwards and shared by all listeners and workers.
///
/// Grouping: certificates with the same set of names share one context,
/// one per key type (ECDSA beside RSA). A `[[tls.certificates]]` entry
/// with the same names as the `[tls]` certificate joins its group, the
/// default for clients that send no name or one nobody serves.
public final class ServerCertificates: Sendable {
    let groups: [CertificateGroup]
    let defaultGroup: CertificateGroup
    let names: ServerNameTable
    let ticketKeys: TicketKeyRing?
    /// Things worth a warning in the log (left-out OCSP responses).
    public let warnings: [TLSSetupWarning]
    /// The default certificate's subject and serial, and how many there are, for start-up and reload logs.
    public let summary: String

    public init(settings: TLSSettings) throws {
        let members = try ([settings.defaultCertificate] + settings.certificates).map(Self.inspect)
        var groupNames: [[String]] = []
        var groupMembers: [[CertificateGroup.Member]] = []
        var table = ServerNameTable()
        for (position, member) in members.enumerated() {
            let nameSet = Set(member.names).sorted()
            let index = groupNames.firstIndex(of: nameSet) ?? groupNames.count
            if index == groupNames.count {
                groupNames.append(nameSet)
                groupMembers.append([])
            }
            if let twin = groupMembers[index].first(where: { $0.keyType == member.keyType }) {
                throw TLSSetupError(key: "\(member.settings.keyPath).certificate", reason:
                    "\(member.settings.certificate) and \(twin.settings.certificate) (\(twin.settings.keyPath)) both have "
                    + "\(member.keyType) keys for the same names; certificates side by side need different key types")
            }
            groupMembers[index].append(member)
            // The [tls] certificate's names are added last, where no entry claims them.
            guard position > 0 else { continue }
            do {
                try table.add(member.names, group: index)
            } catch {
                let other = groupMembers[error.group].first { $0.settings.keyPath != "tls" } ?? groupMembers[error.group][0]
                throw TLSSetupError(key: "\(member.settings.keyPath).names", reason:
                    "\"\(error.name)\" is also served by \(other.settings.keyPath) with other names; "
                    + "give certificates that serve a name side by side the same names")
            }
        }
        table.addUnclaimed(members[0].names, group: 0)
        let ticketKeys = try settings.ticketKeys.map { try TicketKeyRing(path: $0) }
        groups = try groupMembers.map {
            try CertificateGroup(members: $0, settings: settings, sharedTicketKeys: ticketKeys != nil)
        }
        defaultGroup = groups[0]
        names = table
        self.ticketKeys = ticketKeys
        warnings = groups.flatMap(\.warnings)
        let count = members.count
        summary = X509Inspection.describe(defaultGroup.served.first?.x509) + (count > 1 ? " (+\(count - 1) more)" : "")
    }

    /// The group serving `serverName`, if any entry names it.
    func group(for serverName: String) -> CertificateGroup? {
        names.group(for: serverName).map { groups[$0] }
    }

    /// The loaded certificate behind an `X509*` that OpenSSL serves.
    func served(_ x509: OpaquePointer) -> ServedCertificate? {
        for group in groups {
            if let found = group.served.first(where: { $0.x509 == x509 }) { return found }
        }
        return nil
    }

    /// Reads the leaf of a certificate file for its names and key type, before it is grouped.
    private static func inspect(_ settings: CertificateSettings) throws -> CertificateGroup.Member {
        let key = "\(settings.keyPath).certificate"
        guard let leaf = X509Inspection.readLeaf(path: settings.certificate) else {
            ERR_clear_error()
            if !FileManager.default.isReadableFile(atPath: settings.certificate) {
                throw TLSSetupError.unreadable(settings.certificate, key: key)
            }
            throw TLSSetupError(key: key, reason: "cannot load a PEM certificate chain from \(settings.certificate)")
        }
        defer { X509_free(leaf) }
        let names = settings.names ?? X509Inspection.dnsNames(leaf)
        if names.isEmpty && settings.keyPath != "tls" {
            throw TLSSetupError(key: "\(settings.keyPath).names", reason:
                "\(settings.certificate) has no DNS names in subjectAltName; list the names it serves")
        }
        return CertificateGroup.Member(settings: settings, names: names, keyType: X509Inspection.keyType(leaf))
    }
}
