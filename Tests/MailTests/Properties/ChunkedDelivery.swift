import Foundation
import Testing
@testable import Mail

/// What one side sends before it waits for the other.
struct Turn: Equatable {
    enum Side { case client, backend }
    var side: Side
    var bytes: [UInt8]

    static func client(_ text: String) -> Turn { Turn(side: .client, bytes: wire(text)) }
    static func backend(_ text: String) -> Turn { Turn(side: .backend, bytes: wire(text)) }
}

/// Cuts `bytes` into consecutive chunks whose sizes are taken from `sizes`
/// in turn (cycling), the way a network may deliver them.
func cut(_ bytes: [UInt8], into sizes: [Int]) -> [[UInt8]] {
    var chunks: [[UInt8]] = []
    var offset = 0
    var index = 0
    while offset < bytes.count {
        let size = max(1, sizes.isEmpty ? bytes.count : sizes[index % sizes.count])
        chunks.append(Array(bytes[offset..<min(bytes.count, offset + size)]))
        offset += size
        index += 1
    }
    return chunks
}

extension RelayedSession {
    /// Relays `turns` through `inspector` as the I/O layer does: each turn cut
    /// into chunks, the inspector bypassed once it is done, and what it still
    /// holds taken back when both sides close at the end.
    static func run<I: RelayInspector>(_ inspector: inout I, _ turns: [Turn], cutInto sizes: [Int]) -> RelayedSession {
        var session = RelayedSession()
        for turn in turns {
            for chunk in cut(turn.bytes, into: sizes) {
                switch (turn.side, inspector.isDone) {
                case (.client, true): session.toBackend += chunk
                case (.backend, true): session.toClient += chunk
                case (.client, false):
                    let inspection = inspector.clientToBackend(chunk)
                    session.toBackend += inspection.forward
                    session.toClient += inspection.answer
                case (.backend, false):
                    let inspection = inspector.backendToClient(chunk)
                    #expect(inspection.refusal == nil)
                    session.toClient += inspection.forward
                    session.toBackend += inspection.answer
                }
            }
        }
        if !inspector.isDone {
            session.toBackend += inspector.clientClosed()
            session.toClient += inspector.backendClosed()
        }
        return session
    }
}

/// `\0user\0password`, base64-encoded, as a SASL PLAIN response (RFC 4616).
func saslPlain(user: String, password: String) -> String {
    Data([0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
