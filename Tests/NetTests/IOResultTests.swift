import Glibc
import SystemPackage
import Testing
@testable import Net

@Suite struct IOResultTests {
    @Test func mapsReturnValuesAndErrno() {
        #expect(IOResult(returnValue: 12) == .bytes(12))
        #expect(IOResult(returnValue: 0) == .eof)
        errno = EAGAIN
        #expect(IOResult(returnValue: -1) == .wouldBlock)
        errno = EINTR
        #expect(IOResult(returnValue: -1) == .wouldBlock)
        errno = ECONNRESET
        #expect(IOResult(returnValue: -1) == .failed(.connectionReset))
    }

    @Test func readinessFlagClearsOnlyOnWouldBlock() throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &pair) == 0)
        defer { Glibc.close(pair[1]) }
        var socket = WatchedSocket(fd: FileDescriptor(rawValue: pair[0]), token: EventToken(slot: 0, serial: 0),
                                   isReadable: true, isWritable: true)
        defer { try? socket.fd.close() }
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(buffer.withUnsafeMutableBytes { socket.read(into: $0.baseAddress!, capacity: 16) } == .wouldBlock)
        #expect(!socket.isReadable)
        socket.note(.readable)
        #expect(socket.isReadable)
        _ = Glibc.write(pair[1], "hi", 2)
        #expect(buffer.withUnsafeMutableBytes { socket.read(into: $0.baseAddress!, capacity: 16) } == .bytes(2))
        #expect(socket.isReadable)
    }
}
