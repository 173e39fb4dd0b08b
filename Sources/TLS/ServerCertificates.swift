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
    /// The `[tls]` certificate's group.
    var defaultGroup: CertificateGroup { groups[0] }
    let names: ServerNameTable
    let ticketKeys: TicketKeyRing?
    /// Things worth a warning in the log (left-out OCSP responses).
    public let warnings: [TLSSetupWarning]
    /// The default certificate's subject and serial, and how many more
    /// there are, for start-up and reload logs and `check`.
    public let summary: String

    public init(settings: TLSSettings) throws {
        let members = try [Self.inspect(settings.defaultCertificate, isDefault: true)]
            + settings.certificates.map { try Self.inspect($0, isDefault: false) }
        let (groupMembers, table) = try Self.group(members)
        let ticketKeys = try settings.ticketKeys.map { try TicketKeyRing(path: $0) }
        groups = try groupMembers.map {
            try CertificateGroup(members: $0, settings: settings, sharedTicketKeys: ticketKeys != nil)
        }
        names = table
        self.ticketKeys = ticketKeys
        warnings = groups.flatMap(\.warnings)
        summary = X509Inspection.describe(groups[0].served.first?.x509)
            + (members.count > 1 ? " (+\(members.count - 1) more)" : "")
    }

    /// The group serving `serverName`; nil when there is only the default
    /// one (no lookup on the handshake path then) or no certificate names it.
    func group(for serverName: String) -> CertificateGroup? {
        guard groups.count > 1 else { return nil }
        return names.group(for: serverName).map { groups[$0] }
    }

    /// The loaded certificate behind an `X509*` that OpenSSL serves.
    func served(_ x509: OpaquePointer) -> ServedCertificate? {
        for group in groups {
            if let found = group.served.first(where: { $0.x509 == x509 }) { return found }
        }
        return nil
    }

    /// Sorts certificates into groups by their set of names (the default
    /// first, so its group is number 0) and builds the SNI table: an
    /// entry's names are its own, the default's fill what no entry claims.
    private static func group(_ members: [CertificateGroup.Member]) throws
        -> (groups: [[CertificateGroup.Member]], table: ServerNameTable) {
        var nameSets: [[String]] = []
        var groups: [[CertificateGroup.Member]] = []
        var table = ServerNameTable()
        for member in members {
            let nameSet = Set(member.names).sorted()
            let index = nameSets.firstIndex(of: nameSet) ?? nameSets.count
            if index == nameSets.count {
                nameSets.append(nameSet)
                groups.append([])
            }
            if let twin = groups[index].first(where: { $0.keyType == member.keyType }) {
                throw TLSSetupError(key: "\(member.settings.keyPath).certificate", reason:
                    "\(member.settings.certificate) and \(twin.settings.certificate) (\(twin.settings.keyPath)) both have "
                    + "\(member.keyType) keys for the same names; certificates side by side need different key types")
            }
            groups[index].append(member)
            guard !member.isDefault else { continue }
            do {
                try table.add(member.names, group: index)
            } catch {
                let other = groups[error.group].first { !$0.isDefault } ?? groups[error.group][0]
                throw TLSSetupError(key: "\(member.settings.keyPath).names", reason:
                    "\"\(error.name)\" is also served by \(other.settings.keyPath) with other names; "
                    + "give certificates that serve a name side by side the same names")
            }
        }
        if let defaultMember = members.first { table.addUnclaimed(defaultMember.names, group: 0) }
        return (groups, table)
    }

    /// Reads the leaf of a certificate file for its names and key type, before it is grouped.
    private static func inspect(_ settings: CertificateSettings, isDefault: Bool) throws -> CertificateGroup.Member {
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
        // The default needs no names: it serves whoever no other certificate serves.
        if names.isEmpty && !isDefault {
            throw TLSSetupError(key: "\(settings.keyPath).names", reason:
                "\(settings.certificate) has no DNS names in subjectAltName; list the names it serves")
        }
        return CertificateGroup.Member(settings: settings, names: names, keyType: X509Inspection.keyType(leaf),
                                       isDefault: isDefault)
    }
}
