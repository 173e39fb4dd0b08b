// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for tlsfloor's parsers of untrusted input, kept out of the root package so
/// that its `swift build` and `swift test` neither build nor wait for them.
/// Build with `swift build -c release --sanitize fuzzer --sanitize address`; `scripts/fuzz` does.
let package = Package(
    name: "tlsfloor-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "tlsfloor", path: ".."),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        fuzzTarget("FuzzClientHello"),
        fuzzTarget("FuzzProxyHeader"),
        fuzzTarget("FuzzIMAP", extra: ["MailScript"]),
        fuzzTarget("FuzzPOP3", extra: ["MailScript"]),
        fuzzTarget("FuzzSMTP", extra: ["MailScript"]),
        fuzzTarget("FuzzConfiguration"),
        fuzzTarget("FuzzReportLine"),
        .target(name: "MailScript", dependencies: [
            "FuzzSupport",
            .product(name: "TLSFloorParsers", package: "tlsfloor"),
        ]),
    ]
)

/// One libFuzzer executable: libFuzzer supplies `main`, the target only `LLVMFuzzerTestOneInput`.
func fuzzTarget(_ name: String, extra: [Target.Dependency] = []) -> Target {
    .executableTarget(name: name, dependencies: [
        "FuzzSupport",
        .product(name: "TLSFloorParsers", package: "tlsfloor"),
    ] + extra)
}
