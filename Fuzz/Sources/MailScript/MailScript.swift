import Mail

/// A mail session written as fuzz input: who sends which bytes, in order.
///
/// Layout: one flags byte (bit 0: the session came through STARTTLS; bit 1: tight limits, so short
/// inputs reach the over-long-line and too-many-commands paths), then frames of one header byte
/// (bit 7: sent by the backend, else by the client; bits 0–6: length) and that many bytes; the last
/// frame may be cut short. `Fuzz/make-seeds` writes seeds in this layout.
public struct MailScript {
    public struct Frame {
        public var fromBackend: Bool
        public var bytes: [UInt8]
    }

    public var afterStartTLS = false
    public var tightLimits = false
    public var frames: [Frame] = []

    public init(_ input: [UInt8]) {
        guard let flags = input.first else { return }
        afterStartTLS = flags & 1 != 0
        tightLimits = flags & 2 != 0
        var index = 1
        while index < input.count {
            let header = input[index]
            let end = min(input.count, index + 1 + Int(header & 0x7F))
            frames.append(Frame(fromBackend: header & 0x80 != 0, bytes: Array(input[(index + 1) ..< end])))
            index = end
        }
    }

    /// Plays the script against every session object `Net` feeds untrusted bytes to, the way
    /// `Net` does: the client's frames to the STARTTLS preamble and to the legacy refusal, the
    /// backend's to the greeting consumer, both directions to the relay inspector until it is done.
    /// - Parameter relaysVerbatim: the inspector promises to pass every byte on as it came (IMAP,
    ///   POP3; SMTP rewrites EHLO and answers STARTTLS itself). Then what it forwarded in each
    ///   direction must be a prefix of what it was given (IMAP holds an implicit-TLS greeting
    ///   until its line ends), and all of it after STARTTLS, where nothing is held.
    public func play(_ mailProtocol: MailProtocol, relaysVerbatim: Bool) {
        let clientFrames = frames.filter { !$0.fromBackend }.map(\.bytes)

        var preamble = MailSessions.preamble(for: mailProtocol, hostname: "mail.example.test", limits: preambleLimits)
        _ = preamble.greeting()
        clientFrames.forEach { _ = preamble.receive($0) }

        var refusal = MailSessions.legacyRefusal(for: mailProtocol, message: "update your mail program",
                                                 afterStartTLS: afterStartTLS, hostname: "mail.example.test")
        _ = refusal.greeting()
        clientFrames.forEach { _ = refusal.receive($0) }

        var consumer = MailSessions.greetingConsumer(for: mailProtocol)
        frames.filter(\.fromBackend).forEach { _ = consumer.receive($0.bytes) }

        var inspector = MailSessions.inspector(for: mailProtocol, afterStartTLS: afterStartTLS, limits: inspectorLimits)
        var given = Relayed()
        var forwarded = Relayed()
        for frame in frames {
            let inspection = frame.fromBackend ? inspector.backendToClient(frame.bytes) : inspector.clientToBackend(frame.bytes)
            given.append(frame.bytes, fromBackend: frame.fromBackend)
            forwarded.append(inspection.forward, fromBackend: frame.fromBackend)
            if inspection.refusal != nil || inspector.isDone { break }
        }
        _ = inspector.login
        playLoginGate(mailProtocol)
        if relaysVerbatim {
            precondition(forwarded.isPrefix(of: given), "\(mailProtocol) inspector forwarded \(forwarded), given \(given)")
            precondition(!afterStartTLS || forwarded == given, "\(mailProtocol) inspector held back bytes: \(forwarded) of \(given)")
        }
    }

    /// The login gate of `legacy.exempt_users` over the same session: whatever the bytes, a gate
    /// that refused has let no one in, and one that let someone in let in the exempt user.
    private func playLoginGate(_ mailProtocol: MailProtocol) {
        var gate = MailSessions.loginGate(for: mailProtocol, afterStartTLS: afterStartTLS, exemptUsers: ["printer@example.org"],
                                          message: "update your mail program", kind: .permanent, limits: inspectorLimits)
        for frame in frames {
            let inspection = frame.fromBackend ? gate.backendToClient(frame.bytes) : gate.clientToBackend(frame.bytes)
            if inspection.refusal != nil {
                precondition(gate.admittedUser == nil, "\(mailProtocol) gate refused after admitting \(gate.admittedUser!)")
                break
            }
            if gate.isDone { break }
        }
        if let admitted = gate.admittedUser {
            precondition(admitted.uppercased() == "PRINTER@EXAMPLE.ORG", "\(mailProtocol) gate admitted \(admitted)")
        }
        _ = gate.clientClosed()
        _ = gate.backendClosed()
    }

    /// The bytes of a session, per direction.
    private struct Relayed: Equatable, CustomStringConvertible {
        var fromClient: [UInt8] = []
        var fromBackend: [UInt8] = []

        mutating func append(_ bytes: [UInt8], fromBackend backend: Bool) {
            if backend { fromBackend += bytes } else { fromClient += bytes }
        }

        func isPrefix(of other: Relayed) -> Bool {
            other.fromClient.starts(with: fromClient) && other.fromBackend.starts(with: fromBackend)
        }

        var description: String {
            "client \(String(decoding: fromClient, as: UTF8.self).debugDescription), backend \(String(decoding: fromBackend, as: UTF8.self).debugDescription)"
        }
    }

    private var preambleLimits: PreambleLimits {
        tightLimits ? PreambleLimits(maxLineLength: 16, maxCommands: 4, maxErrors: 2) : PreambleLimits()
    }

    private var inspectorLimits: InspectorLimits {
        tightLimits ? InspectorLimits(maxLineLength: 64, maxCommands: 4) : InspectorLimits()
    }
}
