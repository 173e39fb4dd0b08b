import FuzzSupport
import Mail
import MailScript

/// SMTP: STARTTLS preamble, legacy refusal, backend greeting consumer and relay inspector.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzInput.run(data, size) { MailScript($0).play(.smtp, relaysVerbatim: false) }
}
