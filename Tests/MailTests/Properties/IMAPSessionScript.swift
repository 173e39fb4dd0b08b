/// Generated IMAP sessions after TLS. The login inspector only looks, so
/// everything must arrive exactly as sent; the steps are chosen to walk it
/// through its states: logins of every shape (accepted or not), AUTHENTICATE
/// with and without continuation, ID, literals in both directions that
/// contain lines looking like commands or tagged replies, lines it cannot
/// follow, and bare LF line ends.
enum IMAPSessionScript {
    static let stepKinds = 10
    static let maxLineLength = 200

    static func turns(steps: [Int], user: String, password: String, implicitTLS: Bool) -> [Turn] {
        var turns: [Turn] = implicitTLS ? [.backend("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.\r\n")] : []
        for (index, step) in steps.enumerated() {
            let tag = "a\(index)"
            let variant = step / stepKinds
            let end = variant % 2 == 0 ? "\r\n" : "\n"
            let outcome = variant % 3 == 0 ? "NO [AUTHENTICATIONFAILED] Authentication failed." : "OK Logged in"
            switch step % stepKinds {
            case 0:
                turns += [.client("\(tag) CAPABILITY" + end),
                          .backend("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN" + end + "\(tag) OK done" + end)]
            case 1:
                turns += [.client("\(tag) LOGIN \"\(user)\" \"\(password)\"" + end), .backend("\(tag) \(outcome)" + end)]
            case 2:
                turns += [.client("\(tag) LOGIN {\(user.utf8.count)}" + end), .backend("+ OK" + end),
                          .client(user + " {\(password.utf8.count)+}" + end + password + end),
                          .backend("\(tag) \(outcome)" + end)]
            case 3:
                turns += [.client("\(tag) AUTHENTICATE PLAIN \(saslPlain(user: user, password: password))" + end),
                          .backend("\(tag) \(outcome)" + end)]
            case 4:
                turns += [.client("\(tag) AUTHENTICATE LOGIN" + end), .backend("+ VXNlcm5hbWU6" + end),
                          .client(base64(user) + end), .backend("+ UGFzc3dvcmQ6" + end),
                          .client(base64(password) + end), .backend("\(tag) \(outcome)" + end)]
            case 5:
                turns += [.client("\(tag) ID (\"name\" \"Thunderbird\" \"version\" \"115.3\")" + end),
                          .backend("* ID NIL" + end + "\(tag) OK ID completed" + end)]
            case 6:
                let body = "\(tag) OK fake\r\n\(tag) LOGIN x y\r\n"
                turns += [.client("\(tag) FETCH 1 BODY[]" + end),
                          .backend("* 1 FETCH (BODY[] {\(body.utf8.count)}\r\n" + body + ")" + end + "\(tag) OK done" + end)]
            case 7:
                let message = "Subject: x\r\n\r\nz LOGIN \"mallory\" pw\r\n"
                turns += [.client("\(tag) APPEND INBOX {\(message.utf8.count)+}" + end + message + end),
                          .backend("\(tag) OK appended" + end)]
            case 8:
                turns += [.client("\u{1}garbage (((" + end), .backend("* BAD what" + end)]
            default:
                turns += [.client("\(tag) NOOP " + String(repeating: "x", count: maxLineLength + variant % 50) + end),
                          .backend("\(tag) BAD line too long" + end)]
            }
        }
        return turns
    }
}
