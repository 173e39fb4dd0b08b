import ArgumentParser
import Foundation
import Glibc
import Report

/// `tlsfloord notify`: mails every user who logged in over TLS 1.0/1.1 a notice listing their
/// devices and the switch-off date — the step between the audit and the cut-off that
/// providers did by hand. Reads the same logs as `report`; remembers whom it wrote to.
struct NotifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Mail each user who logged in below the TLS floor a notice listing their devices.",
        discussion: """
            Reads the same logs as `report`. One message per user with a legacy login (login=accepted, \
            legacy=yes) since --since; the login name is the recipient when it is an address, else \
            login@--domain, else the user is skipped with a warning. With --state, a user is mailed again \
            only after --resend-after. Progress goes to stderr; --dry-run prints the messages on stdout.
            """)

    @Argument(help: "Log files to read; none or '-' reads standard input.")
    var files: [String] = []

    @Option(help: "Only logins at or after this time: an age (30d, 2w) or RFC 3339 / YYYY-MM-DD.")
    var since: String

    @Flag(help: "Print the messages instead of sending them; the state file is not written.")
    var dryRun = false

    @Option(help: "The notice: headers (Subject: …), a blank line, the body; placeholders {{user}}, {{devices}}, {{cutoff}}.")
    var template: String

    @Option(help: "Sender address, also the envelope sender: postmaster@example.org or 'Example Mail <postmaster@example.org>'.")
    var from: String

    @Option(help: "Send through this sendmail binary (PATH -i -f FROM TO).")
    var sendmail: String?

    @Option(help: "Send over SMTP (no TLS, no AUTH) to this MTA: HOST:PORT, e.g. 127.0.0.1:25.")
    var smtp: String?

    @Option(help: "Who was notified when, one JSON line per message; read first, appended to after each message.")
    var state: String?

    @Option(help: "Mail a user again only this long after the last notice (s, m, h, d, w).")
    var resendAfter: String = "14d"

    @Option(help: "The switch-off date for {{cutoff}}: YYYY-MM-DD, or RFC 3339 (its date part is shown).")
    var cutoff: String?

    @Option(help: "Append @DOMAIN to login names that are not mail addresses (without it they are skipped).")
    var domain: String?

    func validate() throws {
        _ = try LogInput.since(since)
        guard NoticeSender(from) != nil else { throw ValidationError("--from is not a mail address: '\(from)'") }
        guard TimeSpan.parse(resendAfter) != nil else {
            throw ValidationError("--resend-after must be a number and a unit (s, m, h, d, w), like 14d, not '\(resendAfter)'")
        }
        if let cutoff, ReportTimestamp.parse(cutoff) == nil {
            throw ValidationError("--cutoff must be YYYY-MM-DD or RFC 3339, not '\(cutoff)'")
        }
        if let domain, MailAddress("postmaster@\(domain)") == nil {
            throw ValidationError("--domain is not a mail domain: '\(domain)'")
        }
        switch (sendmail, smtp) {
        case (nil, nil) where !dryRun: throw ValidationError("say how to send: --sendmail PATH or --smtp HOST:PORT (or --dry-run)")
        case (_?, _?): throw ValidationError("--sendmail and --smtp exclude each other")
        default: break
        }
        if let smtp, SMTPEndpoint(smtp) == nil { throw ValidationError("--smtp must be HOST:PORT, not '\(smtp)'") }
    }

    func run() throws {
        let now = Date()
        let composer = try loadComposer()
        var builder = ReportBuilder(filter: ReportFilter(since: try LogInput.since(since, now: now), legacyLoginsOnly: true))
        try LogInput.readLines(of: files) { builder.add(line: $0) }
        if let warning = builder.skippedWarning { say(warning) }

        let stateFile = state.map(NoticeStateFile.init)
        let plan = NoticePlan(users: AffectedUser.grouping(builder.rows), state: try stateFile?.read() ?? NoticeState(),
                              now: now, resendAfter: TimeSpan.parse(resendAfter) ?? 0, domain: domain)
        plan.skipped.forEach { say($0.description) }
        if stateFile == nil && !dryRun { say("no --state: the next run mails these users again") }

        if dryRun {
            for notice in plan.notices {
                let message = composer.message(for: notice, date: now, messageID: MailMessage.newMessageID(domain: composer.sender.address.domain))
                // mbox separators, so the output can be opened in a mail reader to proofread.
                print("From \(composer.sender.address) \(Self.mboxDate(now))")
                print(message.text.replacing("\r\n", with: "\n"))
            }
            say("dry run: \(plan.notices.count) notice(s) not sent, \(plan.skipped.count) user(s) skipped")
            return
        }
        guard !plan.notices.isEmpty else {
            // Nobody due: no reason to bother the MTA.
            say("0 notice(s) sent, \(plan.skipped.count) user(s) skipped")
            return
        }
        try send(plan, with: composer, recording: stateFile)
    }

    private func send(_ plan: NoticePlan, with composer: NoticeComposer, recording stateFile: NoticeStateFile?) throws {
        signal(SIGPIPE, SIG_IGN)
        var delivery = try openDelivery()
        var sent = 0, refused = 0
        for notice in plan.notices {
            let message = composer.message(for: notice, date: Date(), messageID: MailMessage.newMessageID(domain: composer.sender.address.domain))
            do {
                try delivery.deliver(message)
            } catch let error as MessageRefused {
                say("not sent to \(notice.recipient) (\(notice.user.login)): \(error)")
                refused += 1
                continue
            }
            try stateFile?.append(NoticeState.line(user: notice.user.login, recipient: notice.recipient,
                                                   messageID: message.messageID, at: message.date))
            say("sent to \(notice.recipient) (\(notice.user.login)): \(notice.user.devices.count) device(s)")
            sent += 1
        }
        try delivery.finish()
        say("\(sent) notice(s) sent, \(refused) refused, \(plan.skipped.count) user(s) skipped")
        if refused > 0 { throw ExitCode.failure }
    }

    private func openDelivery() throws -> any NoticeDelivery {
        if let sendmail { return SendmailDelivery(path: sendmail) }
        // validate() made sure one of the two is there and parses.
        guard let smtp, let endpoint = SMTPEndpoint(smtp) else { throw ValidationError("--smtp HOST:PORT is missing") }
        return try SMTPDelivery(endpoint: endpoint)
    }

    private func loadComposer() throws -> NoticeComposer {
        guard let data = FileManager.default.contents(atPath: template) else {
            throw LogInputError(path: template, reason: "cannot be read")
        }
        let parsed: NoticeTemplate
        do {
            parsed = try NoticeTemplate(String(decoding: data, as: UTF8.self))
        } catch {
            throw LogInputError(path: template, reason: error.description)
        }
        if parsed.placeholders.contains(.cutoff) && cutoff == nil {
            throw ValidationError("the template uses {{cutoff}}: give the switch-off date with --cutoff YYYY-MM-DD")
        }
        // validate() checked --from and --cutoff.
        guard let sender = NoticeSender(from), let composer = NoticeComposer(template: parsed, sender: sender, cutoff: cutoff)
        else { throw ValidationError("--from or --cutoff is not valid") }
        return composer
    }

    /// `Mon Nov 30 04:00:00 2026`, the asctime form of an mbox `From ` line.
    private static func mboxDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE MMM dd HH:mm:ss yyyy"
        return formatter.string(from: date)
    }
}

private func say(_ line: String) {
    FileHandle.standardError.write(Data("tlsfloord: \(line)\n".utf8))
}
