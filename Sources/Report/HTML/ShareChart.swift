import Foundation

/// The legacy share per period as an inline SVG bar chart: no script, no external assets, so
/// the page can be mailed or archived as one file. Each bar carries `data-period` and
/// `data-legacy-percent` (read by the tests through the DOM) and a `<title>` tooltip.
struct ShareChart {
    let trend: Trend

    static let width = 960.0
    static let height = 320.0
    private static let left = 52.0, right = 12.0, top = 16.0, bottom = 44.0
    private static var plotWidth: Double { width - left - right }
    private static var plotHeight: Double { height - top - bottom }
    /// More labels than this under the axis would overlap; every n-th is shown instead.
    private static let maximumLabels = 16
    /// Values printed above the bars while they fit.
    private static let maximumValueLabels = 31

    var svg: String {
        let title = "Share of connections below the TLS floor per \(trend.period.rawValue)"
        return """
            <svg id="legacy-share-chart" xmlns="http://www.w3.org/2000/svg" role="img" \
            viewBox="0 0 \(Self.number(Self.width)) \(Self.number(Self.height))" \
            width="\(Self.number(Self.width))" height="\(Self.number(Self.height))" aria-label="\(title)">
            <title>\(title)</title>
            \(grid)
            <g class="bars">
            \(bars)
            </g>
            <g class="period-labels">
            \(labels)
            </g>
            </svg>
            """
    }

    /// Horizontal lines and labels at 0, 25, 50, 75 and 100 %.
    private var grid: String {
        stride(from: 0, through: 100, by: 25).map { percent in
            let y = Self.y(Double(percent))
            return """
                <line class="grid" x1="\(Self.number(Self.left))" x2="\(Self.number(Self.width - Self.right))" \
                y1="\(Self.number(y))" y2="\(Self.number(y))"/>\
                <text class="axis" x="\(Self.number(Self.left - 6))" y="\(Self.number(y + 4))" \
                text-anchor="end">\(percent) %</text>
                """
        }.joined(separator: "\n")
    }

    private var slot: Double { Self.plotWidth / Double(max(trend.periods.count, 1)) }

    private func center(_ index: Int) -> Double { Self.left + slot * (Double(index) + 0.5) }

    private var bars: String {
        let barWidth = max(slot * 0.7, 1)
        let showValues = trend.periods.count <= Self.maximumValueLabels
        return trend.periods.enumerated().map { index, summary in
            let label = trend.period.label(summary.start)
            let percent = summary.legacyPercent ?? 0
            let x = center(index) - barWidth / 2
            let y = Self.y(percent)
            let text = summary.legacyPercentText.map { "\($0) %" } ?? "no connections"
            let tooltip = "\(label): \(text) (\(summary.legacyConnections) of \(summary.connections) connections)"
            let value = showValues && summary.legacyPercentText != nil
                ? "\n<text class=\"value\" x=\"\(Self.number(center(index)))\" y=\"\(Self.number(y - 4))\" text-anchor=\"middle\">\(text)</text>"
                : ""
            return """
                <rect class="bar" data-period="\(label)" data-legacy-percent="\(summary.legacyPercentText ?? "")" \
                x="\(Self.number(x))" y="\(Self.number(y))" width="\(Self.number(barWidth))" \
                height="\(Self.number(Self.top + Self.plotHeight - y))"><title>\(tooltip)</title></rect>
                """ + value
        }.joined(separator: "\n")
    }

    private var labels: String {
        let every = max(1, Int((Double(trend.periods.count) / Double(Self.maximumLabels)).rounded(.up)))
        return trend.periods.enumerated().filter { $0.offset % every == 0 }.map { index, summary in
            """
            <text class="axis" x="\(Self.number(center(index)))" y="\(Self.number(Self.height - Self.bottom + 18))" \
            text-anchor="middle">\(trend.period.label(summary.start))</text>
            """
        }.joined(separator: "\n")
    }

    private static func y(_ percent: Double) -> Double {
        top + plotHeight * (1 - percent / 100)
    }

    /// Coordinates with at most two decimals, independent of the locale.
    private static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
