import Foundation
import Testing
@testable import Report

/// alice's old Outlook relayed (stderr) and an unknown client refused (journal).
private let twoRecords = #"""
    ts=2026-11-21T09:00:00.000Z level=info event=connection listener=imaps protocol=imap tls=implicit client=198.51.100.7:50003 outcome=relayed tls_version=TLSv1.0 cipher=ECDHE-RSA-AES256-SHA sni=- offered_version=TLSv1.0 ja4=t10i090500_c491f621fb4c_195413a0cc0f legacy=yes backend=127.0.0.1:10993 user=alice login=accepted mechanism=PLAIN client_name="Microsoft Outlook" client_version=14.0 bytes_in=1020 bytes_out=48822 duration_ms=61002 error=- msg="imaps: 198.51.100.7:50003 user alice TLSv1.0: relayed"
    {"__REALTIME_TIMESTAMP":"1795438800000000","SYSLOG_IDENTIFIER":"tlsfloord","TLSFLOOR_EVENT":"connection","TLSFLOOR_LISTENER":"imaps","TLSFLOOR_PROTOCOL":"imap","TLSFLOOR_CLIENT":"203.0.113.9:33333","TLSFLOOR_OUTCOME":"tls_version_refused","TLSFLOOR_TLS_VERSION":"-","TLSFLOOR_OFFERED_VERSION":"TLSv1.0","TLSFLOOR_JA4":"t10i070400_5d4ef2b1b5b0_2f8a1c0c7a1e","TLSFLOOR_LEGACY":"yes"}
    """#

private func rows(_ text: String) -> [ClientGroup] {
    var builder = ReportBuilder()
    for line in text.split(separator: "\n") { builder.add(line: line) }
    return builder.rows
}

@Test func tableAlignsColumnsForATerminal() {
    #expect(ReportFormat.table.render(Report(rows: rows(twoRecords))) == """
        USER   JA4                                   VERSIONS     CONNS  LEGACY  OUTCOMES                 FIRST SEEN            LAST SEEN             LISTENERS  PROTOCOLS  CLIENT                  ADDRESSES
        -      t10i070400_5d4ef2b1b5b0_2f8a1c0c7a1e  TLSv1.0 (1)      1       1  tls_version_refused (1)  2026-11-23T13:00:00Z  2026-11-23T13:00:00Z  imaps      imap       -                       203.0.113.9
        alice  t10i090500_c491f621fb4c_195413a0cc0f  TLSv1.0 (1)      1       1  relayed (1)              2026-11-21T09:00:00Z  2026-11-21T09:00:00Z  imaps      imap       Microsoft Outlook 14.0  198.51.100.7

        """)
}

@Test func csvHasAHeaderAndCRLFLines() {
    #expect(ReportFormat.csv.render(Report(rows: rows(twoRecords))) == """
        user,ja4,versions,connections,legacy_connections,outcomes,first_seen,last_seen,listeners,protocols,clients,addresses\r
        -,t10i070400_5d4ef2b1b5b0_2f8a1c0c7a1e,TLSv1.0 (1),1,1,tls_version_refused (1),2026-11-23T13:00:00Z,2026-11-23T13:00:00Z,imaps,imap,-,203.0.113.9\r
        alice,t10i090500_c491f621fb4c_195413a0cc0f,TLSv1.0 (1),1,1,relayed (1),2026-11-21T09:00:00Z,2026-11-21T09:00:00Z,imaps,imap,Microsoft Outlook 14.0,198.51.100.7\r

        """)
}

@Test func csvQuotesValuesWithCommasAndDoublesQuotes() {
    let log = #"""
        ts=2026-11-21T09:00:00Z event=connection listener=imaps protocol=imap client=192.0.2.1:1 outcome=relayed tls_version=TLSv1.0 ja4=j user=frank client_name="Mail, \"beta\"" client_version=2
        ts=2026-11-22T09:00:00Z event=connection listener=imaps protocol=imap client=192.0.2.1:2 outcome=relayed tls_version=TLSv1.2 ja4=j user=frank
        """#
    #expect(ReportFormat.csv.render(Report(rows: rows(log))) == """
        user,ja4,versions,connections,legacy_connections,outcomes,first_seen,last_seen,listeners,protocols,clients,addresses\r
        frank,j,"TLSv1.0 (1), TLSv1.2 (1)",2,0,relayed (2),2026-11-21T09:00:00Z,2026-11-22T09:00:00Z,imaps,imap,"Mail, ""beta"" 2",192.0.2.1\r

        """)
    #expect(CSVRenderer.field("two\nlines") == "\"two\nlines\"")
    #expect(CSVRenderer.field("plain") == "plain")
}

@Test func jsonIsAnArrayOfObjectsWithEveryKeyPresent() {
    #expect(ReportFormat.json.render(Report(rows: rows(twoRecords))) == """
        [
          {
            "address_count" : 1,
            "addresses" : [
              "203.0.113.9"
            ],
            "clients" : [

            ],
            "connections" : 1,
            "first_seen" : "2026-11-23T13:00:00Z",
            "ja4" : "t10i070400_5d4ef2b1b5b0_2f8a1c0c7a1e",
            "last_seen" : "2026-11-23T13:00:00Z",
            "legacy_connections" : 1,
            "listeners" : [
              "imaps"
            ],
            "outcomes" : {
              "tls_version_refused" : 1
            },
            "protocols" : [
              "imap"
            ],
            "user" : null,
            "versions" : {
              "TLSv1.0" : 1
            }
          },
          {
            "address_count" : 1,
            "addresses" : [
              "198.51.100.7"
            ],
            "clients" : [
              "Microsoft Outlook 14.0"
            ],
            "connections" : 1,
            "first_seen" : "2026-11-21T09:00:00Z",
            "ja4" : "t10i090500_c491f621fb4c_195413a0cc0f",
            "last_seen" : "2026-11-21T09:00:00Z",
            "legacy_connections" : 1,
            "listeners" : [
              "imaps"
            ],
            "outcomes" : {
              "relayed" : 1
            },
            "protocols" : [
              "imap"
            ],
            "user" : "alice",
            "versions" : {
              "TLSv1.0" : 1
            }
          }
        ]

        """)
}

@Test func anEmptyReportStillHasItsHeaderOrBrackets() {
    #expect(ReportFormat.csv.render(Report(rows: [])).hasPrefix("user,ja4,"))
    #expect(ReportFormat.table.render(Report(rows: [])).hasPrefix("USER"))
    let json = ReportFormat.json.render(Report(rows: []))
    #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [Any] != nil)
}

@Test(arguments: ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)"])
func csvDefusesClientChosenFormulas(login: String) {
    let field = CSVRenderer.field(login)
    #expect(field.hasPrefix("'") || field.hasPrefix("\"'"))
}

@Test func csvKeepsTheNonePlaceholder() {
    #expect(CSVRenderer.field("-") == "-")
}
