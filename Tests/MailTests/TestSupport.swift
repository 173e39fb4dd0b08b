@testable import Mail

/// The bytes of a protocol text, written with `\r\n` where the wire has them.
func wire(_ text: String) -> [UInt8] { Array(text.utf8) }

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Everything a list of preamble actions sends, concatenated.
func sent(_ actions: [PreambleAction]) -> String {
    actions.map { action in
        if case .send(let bytes) = action { text(bytes) } else { "" }
    }.joined()
}

func closes(_ actions: [PreambleAction]) -> Bool {
    actions.contains { if case .close = $0 { true } else { false } }
}

/// Feeds `input` one byte at a time, the worst split a network can produce.
func receiveBytewise<P: StartTLSPreamble>(_ preamble: inout P, _ input: String) -> [PreambleAction] {
    wire(input).flatMap { preamble.receive([$0]) }
}

/// Runs a whole relayed session through an inspector in the given chunks,
/// returning what reached each side.
struct RelayedSession {
    var toBackend: [UInt8] = []
    var toClient: [UInt8] = []

    enum Chunk {
        case client(String)
        case backend(String)
    }

    static func run<I: RelayInspector>(_ inspector: inout I, _ chunks: [Chunk]) -> RelayedSession {
        var session = RelayedSession()
        for chunk in chunks {
            switch chunk {
            case .client(let data):
                let inspection = inspector.isDone ? Inspection(forward: wire(data)) : inspector.clientToBackend(wire(data))
                session.toBackend += inspection.forward
                session.toClient += inspection.answer
            case .backend(let data):
                let inspection = inspector.isDone ? Inspection(forward: wire(data)) : inspector.backendToClient(wire(data))
                session.toClient += inspection.forward
                session.toBackend += inspection.answer
            }
        }
        return session
    }
}

/// True when the password shows up nowhere in what the inspector exposes.
func exposesNothingOf(_ secret: String, in login: LoginObservation) -> Bool {
    !String(describing: login).contains(secret)
}
