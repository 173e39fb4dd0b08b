import Foundation
import Report

/// How `notify` hands a message to the MTA. A `MessageRefused` error concerns that one
/// message (the run goes on with the next user); any other error ends the run.
protocol NoticeDelivery {
    mutating func deliver(_ message: MailMessage) throws
    mutating func finish() throws
}

struct MessageRefused: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

/// `--smtp HOST:PORT`: one SMTP session for the whole run.
struct SMTPDelivery: NoticeDelivery {
    private var client: SMTPClient<SMTPSocket>
    private let socket: SMTPSocket

    init(endpoint: SMTPEndpoint) throws {
        socket = try SMTPSocket(endpoint)
        do {
            client = try SMTPClient(transport: socket, helloName: Self.hostName)
        } catch {
            socket.close()
            throw error
        }
    }

    mutating func deliver(_ message: MailMessage) throws {
        do {
            try client.send(message)
        } catch SMTPError.refused(let command, let reply) {
            throw MessageRefused(reason: "\(command) refused: \(reply)")
        }
    }

    mutating func finish() throws {
        defer { socket.close() }
        try client.quit()
    }

    /// EHLO names this host, as MTAs expect of a client.
    private static var hostName: String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "localhost" : text
    }
}

/// `--sendmail PATH`: `PATH -i -f FROM TO` per message, the message on its stdin with local
/// (LF) line ends; `-i` so a line with a single dot does not end it.
struct SendmailDelivery: NoticeDelivery {
    let path: String

    func deliver(_ message: MailMessage) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-i", "-f", message.sender.address.description, message.recipient.description]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = errors
        do {
            try process.run()
        } catch {
            throw SendmailError(reason: "\(path): \(error.localizedDescription)")
        }
        // A sendmail that exits early closes the pipe: EPIPE (SIGPIPE is ignored by `notify`), and its exit status says why.
        let written = Result { try input.fileHandleForWriting.write(contentsOf: Data(message.text.replacing("\r\n", with: "\n").utf8)) }
        try? input.fileHandleForWriting.close()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0, case .success = written else {
            let said = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw MessageRefused(reason: "\(path) exited \(process.terminationStatus)\(said.isEmpty ? "" : ": \(said)")")
        }
    }

    func finish() {}
}

/// `--sendmail` cannot be started at all: no point trying the next user.
struct SendmailError: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
