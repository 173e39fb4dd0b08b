import EventLog
import Glibc

/// The lingering close after tlsfloord's own last reply (a BYE, a 421, an
/// explained refusal).
///
/// Closing a socket that still has unread client bytes makes the kernel
/// send a reset instead of a FIN, and a reset throws away whatever of the
/// reply the client has not read yet — a pipelining client, or one that
/// sends its next command before reading, would see "connection reset"
/// instead of the reason. So: shut our side (the client reads the reply
/// and then EOF), read and drop what it still sends until it closes too,
/// and close after at most `lingerMilliseconds`. All of it is one phase of
/// the worker's event loop; nothing blocks.
extension Connection {
    /// How long a client gets to hang up after the last reply.
    static let lingerMilliseconds: UInt64 = 2_000
    /// Reads per turn, so a client that keeps sending cannot hold the worker.
    private static let lingerReadsPerTurn = 4

    func linger(_ outcome: Outcome, error: String?) {
        guard shutdown(client.rawValue, Int32(SHUT_WR)) == 0 else {
            close(outcome, error: error)
            return
        }
        enter(.lingering(outcome, error: error))
        discardClientInput(outcome, error: error)
    }

    func discardClientInput(_ outcome: Outcome, error: String?) {
        for _ in 0..<Self.lingerReadsPerTurn {
            switch client.read(into: worker.scratch.baseAddress!, capacity: worker.scratch.count) {
            case .bytes:
                continue
            case .wouldBlock:
                inboundWait = .clientReadable
                return
            case .eof, .failed:
                close(outcome, error: error)
                return
            }
        }
        // More may be waiting; the readiness flag is still set, so this runs again.
        inboundWait = .clientReadable
    }
}
