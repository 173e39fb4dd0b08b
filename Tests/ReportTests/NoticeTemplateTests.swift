import Testing
@testable import Report

@Test func templateSplitsHeadersAndBodyAndFillsPlaceholders() throws {
    let template = try NoticeTemplate("""
        Subject: Abschaltung am {{ cutoff }} für {{user}}
        Reply-To: support@example.org

        Hallo {{user}},
        {{devices}}
        Stichtag: {{cutoff}}. {not a placeholder}
        """)
    #expect(template.placeholders == [.user, .devices, .cutoff])
    let (headers, body) = template.render([.user: "erika@example.org", .devices: "  - Outlook", .cutoff: "2023-09-30"])
    #expect(headers.map(\.name) == ["Subject", "Reply-To"])
    #expect(headers[0].value == "Abschaltung am 2023-09-30 für erika@example.org")
    #expect(headers[1].value == "support@example.org")
    #expect(body == "Hallo erika@example.org,\n  - Outlook\nStichtag: 2023-09-30. {not a placeholder}")
}

@Test func templateJoinsFoldedHeadersAndAcceptsCRLF() throws {
    let template = try NoticeTemplate("Subject: first part\r\n  second part\r\n\r\nbody\r\n")
    let (headers, body) = template.render([:])
    #expect(headers[0].value == "first part second part")
    #expect(body == "body\n")
    #expect(template.placeholders.isEmpty)
}

@Test(arguments: [
    ("Subject: x\n\n{{usr}}", "unknown placeholder {{usr}}"),
    ("Subject: x\n\n{{user", "`{{` without `}}`"),
    ("Subject: {{devices}}\n\nbody", "{{devices}} spans lines"),
    ("From: a@example.org\nSubject: x\n\nbody", "From is written by tlsfloord notify"),
    ("Content-Type: text/html\nSubject: x\n\nbody", "Content-Type is written by tlsfloord notify"),
    ("X-Note: x\n\nbody", "no Subject: header"),
    ("Subject: x\nHallo,\n\nbody", "line 2: not a header"),
    ("Subject: x", "no blank line"),
])
func templateMistakesAreFoundWhenItIsRead(text: String, reason: String) {
    #expect {
        try NoticeTemplate(text)
    } throws: { error in
        (error as? NoticeTemplateError)?.reason.contains(reason) == true
    }
}

@Test func shippedTemplateReadsAndUsesEveryPlaceholderInBothLanguages() throws {
    let text = try String(contentsOfFile: ShippedFiles.path("config/notify/legacy-tls.de-en.txt"), encoding: .utf8)
    let template = try NoticeTemplate(text)
    #expect(template.placeholders == Set(NoticeTemplate.Placeholder.allCases))
    let (headers, body) = template.render([.user: "USER", .devices: "DEVICES", .cutoff: "CUTOFF"])
    #expect(headers.first?.value.contains("CUTOFF") == true)
    #expect(body.components(separatedBy: "DEVICES").count == 3)  // German and English part
    #expect(body.contains("Guten Tag") && body.contains("Hello"))
}
