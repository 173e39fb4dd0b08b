/// The boilerplate of every `LLVMFuzzerTestOneInput`: libFuzzer hands over a pointer and a
/// length (the pointer may be null for the empty input); the targets want an array.
public enum FuzzInput {
    /// Runs `body` on the input and returns 0, the only value libFuzzer accepts. A thrown Swift
    /// error is an expected outcome of a parser, so `body` handles its own; only a trap or a
    /// sanitizer report counts as a crash.
    public static func run(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: ([UInt8]) -> Void) -> Int32 {
        body(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// `bytes` cut into consecutive pieces of `size` bytes (the last may be shorter): the same
    /// input as a peer trickling it, for parsers that must not care how a stream is split.
    public static func pieces(of bytes: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: bytes.count, by: size).map { bytes[$0 ..< min($0 + size, bytes.count)] }
    }
}
