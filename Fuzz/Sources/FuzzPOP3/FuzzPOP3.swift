import FuzzSupport
import Mail
import MailScript

/// POP3: STARTTLS preamble, legacy refusal, backend greeting consumer and relay inspector.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPOP3(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzInput.run(data, size) { MailScript($0).play(.pop3, relaysVerbatim: true) }
}
