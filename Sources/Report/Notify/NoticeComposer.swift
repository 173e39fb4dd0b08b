import Foundation

/// Fills the template for one user: what `notify` sends and what `--dry-run` prints.
public struct NoticeComposer: Sendable {
    public let template: NoticeTemplate
    public let sender: NoticeSender
    /// The date as the operator announced it: `--cutoff 2023-09-30` or the date part of
    /// `2023-09-30T00:00:00+02:00` — never shifted to UTC, where it would read 29 September.
    public let cutoff: String?

    /// Nil when `cutoff` is given but is not a date (RFC 3339 or `YYYY-MM-DD`).
    public init?(template: NoticeTemplate, sender: NoticeSender, cutoff: String?) {
        if let cutoff, ReportTimestamp.parse(cutoff) == nil { return nil }
        self.template = template
        self.sender = sender
        self.cutoff = cutoff.map { String($0.prefix(10)) }
    }

    public func message(for notice: NoticePlan.Notice, date: Date, messageID: String) -> MailMessage {
        let (headers, body) = template.render([
            .user: notice.user.login,
            .devices: DeviceList.text(notice.user.devices),
            .cutoff: cutoff ?? "",
        ])
        return MailMessage(sender: sender, recipient: notice.recipient, date: date, messageID: messageID,
                           headers: headers, body: body)
    }
}
