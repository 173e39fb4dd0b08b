import Foundation

/// `report --format html`: one page an operator opens in a browser or attaches to a mail —
/// inline CSS and SVG only, no script and nothing loaded from elsewhere (a report about who
/// connects how should not itself phone home).
enum HTMLRenderer {
    static func render(_ report: Report) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>tlsfloord report: clients below the TLS floor</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <h1>Clients below the TLS floor</h1>
        \(summary(report))
        \(report.trend.map(trendSection) ?? "")
        <section id="clients">
        <h2>Users and clients</h2>
        <p>One row per user and client fingerprint (JA4), or per address when no login was seen; \
        rows with connections below the floor first.</p>
        <div class="scroll">
        \(table(report.rows, columns: ReportColumn.clientGroups, rowClass: { $0.isLegacy ? "legacy" : nil }))
        </div>
        </section>
        </body>
        </html>

        """
    }

    private static let style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d1d1f; background: #fff; }
        h1 { font-size: 1.6em; margin: 0 0 .3em; }
        h2 { font-size: 1.2em; margin: 1.6em 0 .4em; }
        table { border-collapse: collapse; margin: .5em 0; }
        th, td { padding: .25em .6em; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top;
                 white-space: nowrap; }
        figure { margin: 0; }
        .scroll { overflow-x: auto; }
        th { background: #f3f3f5; position: sticky; top: 0; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        td.ja4 { font-family: ui-monospace, monospace; font-size: .9em; }
        tr.legacy td:first-child { border-left: 4px solid #c62828; }
        svg { max-width: 100%; height: auto; }
        svg .bar { fill: #c62828; }
        svg .grid { stroke: #ddd; stroke-width: 1; }
        svg .axis, svg .value { font: 11px system-ui, sans-serif; fill: #555; }
        svg .value { fill: #1d1d1f; }
        """

    private static func summary(_ report: Report) -> String {
        let connections = report.rows.reduce(0) { $0 + $1.connections }
        let legacy = report.rows.reduce(0) { $0 + $1.legacyConnections }
        let users = Set(report.rows.filter(\.isLegacy).compactMap(\.user)).count
        guard let first = report.rows.map(\.firstSeen).min(), let last = report.rows.map(\.lastSeen).max() else {
            return "<p class=\"summary\">No connections in the log.</p>"
        }
        return """
            <p class="summary">\(connections) connections in these rows from \(ReportTimestamp.format(first)) \
            to \(ReportTimestamp.format(last)); \(legacy) of them below the TLS floor, by \(users) \
            logged-in user(s).</p>
            """
    }

    private static func trendSection(_ trend: Trend) -> String {
        """
        <section id="trend">
        <h2>Legacy share per \(trend.period.rawValue)</h2>
        <figure>
        \(ShareChart(trend: trend).svg)
        <figcaption>Connections below the TLS floor as a share of all connections, per \
        \(trend.period.rawValue) (UTC).</figcaption>
        </figure>
        \(table(trend.periods, columns: ReportColumn.periods(trend.period), rowClass: { _ in nil }))
        </section>
        """
    }

    private static func table<Row>(_ rows: [Row], columns: [ReportColumn<Row>],
                                   rowClass: (Row) -> String?) -> String {
        let header = columns.map { "<th>\(HTMLText.escape($0.title))</th>" }.joined()
        let body = rows.map { row in
            let cells = columns.map { column in
                let kind = column.isNumeric ? " class=\"number\"" : column.name == "ja4" ? " class=\"ja4\"" : ""
                return "<td\(kind)>\(HTMLText.escape(column.value(row)))</td>"
            }.joined()
            let attribute = rowClass(row).map { " class=\"\($0)\"" } ?? ""
            return "<tr\(attribute)>\(cells)</tr>"
        }.joined(separator: "\n")
        return "<table>\n<thead><tr>\(header)</tr></thead>\n<tbody>\n\(body)\n</tbody>\n</table>"
    }
}
