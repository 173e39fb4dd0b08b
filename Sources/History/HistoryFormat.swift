import Foundation
import Report

/// How `tlsfloord history` prints a user's rows.
public enum HistoryFormat: String, Sendable, CaseIterable {
    /// Aligned columns for support staff at a terminal; TLS 1.0/1.1 rows marked `LEGACY yes`.
    case table
    /// An array of objects keyed by the schema's column names, every key present (`null`: no value).
    case json

    public func render(_ rows: [LoginRow]) -> String {
        switch self {
        case .table: TableRenderer.render(rows, columns: Self.columns)
        case .json: Self.json(rows)
        }
    }

    private static let columns: [ReportColumn<LoginRow>] = [
        ReportColumn(title: "TIME", name: "time", isNumeric: false) { HistoryTime.format($0.attempt.time) },
        ReportColumn(title: "PROTOCOL", name: "protocol", isNumeric: false) { $0.attempt.protocol },
        ReportColumn(title: "LISTENER", name: "listener", isNumeric: false) { $0.attempt.listener },
        ReportColumn(title: "TLS", name: "tls_version", isNumeric: false) { $0.attempt.tlsVersion ?? "-" },
        ReportColumn(title: "LEGACY", name: "legacy", isNumeric: false) { $0.isLegacy ? "yes" : "-" },
        ReportColumn(title: "OUTCOME", name: "outcome", isNumeric: false) { row in
            row.attempt.refusalKind.map { "\(row.attempt.result.rawValue) (\($0))" } ?? row.attempt.result.rawValue
        },
        ReportColumn(title: "CLIENT", name: "client", isNumeric: false) { row in
            [row.attempt.clientName, row.attempt.clientVersion].compactMap { $0 }.joined(separator: " ").nonEmpty ?? "-"
        },
        ReportColumn(title: "ADDRESS", name: "client_address", isNumeric: false) { $0.attempt.clientAddress },
        ReportColumn(title: "CIPHER", name: "cipher", isNumeric: false) { $0.attempt.cipher ?? "-" },
        ReportColumn(title: "JA4", name: "ja4", isNumeric: false) { $0.attempt.ja4 ?? "-" },
        ReportColumn(title: "INSTANCE", name: "instance", isNumeric: false) { $0.instance },
    ]

    private static func json(_ rows: [LoginRow]) -> String {
        let objects = rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(HistorySchema.columns, HistorySchema.values(of: row)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings and nulls cannot fail to encode.
        guard let data = try? encoder.encode(objects) else { return "[]\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
