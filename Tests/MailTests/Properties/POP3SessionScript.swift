/// Generated POP3 sessions after TLS. The login inspector only looks, so
/// everything must arrive exactly as sent; the steps walk it through
/// USER/PASS, APOP, AUTH with and without continuation (accepted or not),
/// multi-line listings whose lines look like replies, lines it cannot
/// follow, and bare LF line ends.
enum POP3SessionScript {
    static let stepKinds = 9
    static let maxLineLength = 200

    static func turns(steps: [Int], user: String, password: String, implicitTLS: Bool) -> [Turn] {
        var turns: [Turn] = implicitTLS ? [.backend("+OK Dovecot ready.\r\n")] : []
        for step in steps {
            let variant = step / stepKinds
            let end = variant % 2 == 0 ? "\r\n" : "\n"
            let outcome = variant % 3 == 0 ? "-ERR [AUTH] Authentication failed." : "+OK Logged in."
            switch step % stepKinds {
            case 0:
                turns += [.client("CAPA" + end), .backend("+OK" + end + "USER" + end + "SASL PLAIN LOGIN" + end + "." + end)]
            case 1:
                turns += [.client("USER \(user)" + end), .backend("+OK" + end),
                          .client("PASS \(password)" + end), .backend(outcome + end)]
            case 2:
                turns += [.client("USER \(user)" + end + "PASS \(password)" + end), .backend("+OK" + end + outcome + end)]
            case 3:
                turns += [.client("APOP \(user) c4c9334bac560ecc979e58001b3e22fb" + end), .backend(outcome + end)]
            case 4:
                turns += [.client("AUTH PLAIN \(saslPlain(user: user, password: password))" + end), .backend(outcome + end)]
            case 5:
                turns += [.client("AUTH LOGIN" + end), .backend("+ VXNlcm5hbWU6" + end),
                          .client(base64(user) + end), .backend("+ UGFzc3dvcmQ6" + end),
                          .client(base64(password) + end), .backend(outcome + end)]
            case 6:
                turns += [.client("RETR 1" + end),
                          .backend("+OK 40 octets" + end + "+OK Logged in." + end + "..PASS x" + end + "." + end)]
            case 7:
                turns += [.client("\u{1}\u{2} junk" + end), .backend("-ERR Unknown command" + end)]
            default:
                turns += [.client("NOOP " + String(repeating: "x", count: maxLineLength + variant % 50) + end),
                          .backend("-ERR Line too long" + end)]
            }
        }
        return turns
    }
}
