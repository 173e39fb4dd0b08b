import Configuration
import FuzzSupport

/// The TOML configuration loader: TOMLKit's parser (toml++) and tlsfloor's validation. A file
/// that is not UTF-8 never gets this far (`Configuration.load` refuses it), so the bytes are
/// decoded first.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzInput.run(data, size) { bytes in
        _ = try? Configuration.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.toml")
    }
}
