/// Aligned columns for a terminal: two spaces between columns, no trailing blanks.
public enum TableRenderer {
    public static func render<Row>(_ rows: [Row], columns: [ReportColumn<Row>]) -> String {
        let cells = [columns.map(\.title)] + rows.map { row in columns.map { $0.value(row) } }
        let widths = columns.indices.map { index in cells.map { $0[index].count }.max() ?? 0 }
        let lines = cells.map { line in
            let padded = columns.indices.map { index in
                pad(line[index], to: widths[index], leading: columns[index].isNumeric)
            }
            return padded.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, to width: Int, leading: Bool) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return leading ? padding + text : text + padding
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var trimmed = Substring(self)
        while trimmed.last == " " { trimmed.removeLast() }
        return String(trimmed)
    }
}
