import Foundation
import Testing
@testable import Report

private func page(_ lines: [String]) -> String {
    var builder = ReportBuilder(trendPeriod: ReportFormat.html.defaultTrendPeriod)
    for line in lines { builder.add(line: line) }
    return ReportFormat.html.render(builder.report)
}

@Test func pageHasOneBarPerPeriodWithItsShare() {
    let html = page([
        connectionLine("2026-11-20T08:00:00Z", client: "198.51.100.7:1", legacy: true, user: "alice"),
        connectionLine("2026-11-21T08:00:00Z", client: "192.0.2.1:1", legacy: false),
        connectionLine("2026-11-22T08:00:00Z", client: "198.51.100.7:1", legacy: true, user: "alice"),
        connectionLine("2026-11-22T09:00:00Z", client: "192.0.2.1:1", legacy: false),
    ])
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains(#"data-period="2026-11-20" data-legacy-percent="100.0""#))
    #expect(html.contains(#"data-period="2026-11-21" data-legacy-percent="0.0""#))
    #expect(html.contains(#"data-period="2026-11-22" data-legacy-percent="50.0""#))
    #expect(html.components(separatedBy: "<rect class=\"bar\"").count - 1 == 3)
    #expect(html.contains("<td>alice</td>"))
}

@Test func pageIsSelfContainedAndEscapesWhatClientsSent() {
    let html = page([
        connectionLine("2026-11-20T08:00:00Z", client: "198.51.100.7:1", legacy: true,
                       user: "<script>alert(1)</script>", software: "Evil & \\\"Co\\\" <img src=x>"),
    ])
    #expect(!html.contains("<script"))
    #expect(!html.contains("<img"))
    #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(html.contains("Evil &amp; &quot;Co&quot; &lt;img src=x&gt;"))
    // Nothing loaded from elsewhere: the only URL is the SVG namespace.
    let urls = html.components(separatedBy: "http").count - 1
    #expect(urls == 1 && html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(!html.contains("src=\"") && !html.contains("href=") && !html.contains("@import"))
}

@Test func pageForAnEmptyLogSaysSo() {
    let html = page([])
    #expect(html.contains("No connections in the log."))
    #expect(!html.contains("<rect class=\"bar\""))
}
