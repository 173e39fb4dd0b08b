/// RFC 4180: a header line, CRLF line breaks, fields quoted when they hold a
/// comma, a double quote or a line break, quotes inside doubled. Login names
/// and IMAP ID values are chosen by clients; one starting like a formula is
/// prefixed with `'` so a spreadsheet shows it instead of evaluating it.
enum CSVRenderer {
    static func render<Row>(_ rows: [Row], columns: [ReportColumn<Row>]) -> String {
        let lines = [columns.map(\.name)] + rows.map { row in columns.map { $0.value(row) } }
        return lines.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    static func field(_ raw: String) -> String {
        // "-" alone is the report's own "none", not a formula.
        let looksLikeFormula = raw.first.map { "=+-@\t\r".contains($0) } == true && raw != "-"
        let value = looksLikeFormula ? "'" + raw : raw
        let needsQuotes = value.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
        guard needsQuotes else { return value }
        return "\"" + value.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
