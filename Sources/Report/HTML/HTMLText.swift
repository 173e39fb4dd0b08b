/// Escapes text for HTML and SVG element content and quoted attribute values. Login names
/// and IMAP ID values are chosen by clients: unescaped, `<script>` as a user name would run
/// in the operator's browser.
enum HTMLText {
    static func escape(_ text: some StringProtocol) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
