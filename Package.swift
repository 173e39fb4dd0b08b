// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "tlsfloor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tlsfloord", targets: ["tlsfloord"]),
        // The parsers of untrusted input, for the fuzz package under Fuzz/ (it depends on this one by path).
        .library(name: "TLSFloorParsers", targets: ["TLS", "ProxyProtocol", "Mail", "Configuration", "Report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries, imported as they are plus a shim for the macros Swift cannot see.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CSocket"),
        // The login history stores (docs/history.md).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // Pure logic: no sockets in any of these.
        .target(name: "Configuration", dependencies: [
            "Mail",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "TLS", dependencies: ["COpenSSL", "Configuration"]),
        .target(name: "Mail", dependencies: ["EventLog"]),
        .target(name: "ProxyProtocol"),
        .target(name: "Report", dependencies: ["EventLog"]),
        .target(name: "EventLog", dependencies: [
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Metric handles resolved ahead and the Prometheus registry they record into.
        .target(name: "Telemetry", dependencies: [
            "EventLog", "TLS",
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .target(name: "Systemd", dependencies: [
            "CSystemd", "EventLog",
            .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "History", dependencies: [
            "CSQLite", "CLibpq", "Configuration", "EventLog", "Report",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The only module that owns file descriptors.
        .target(name: "Net", dependencies: [
            "COpenSSL", "CSocket", "Configuration", "TLS", "Mail", "ProxyProtocol", "EventLog", "Systemd", "Telemetry",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        .executableTarget(name: "tlsfloord", dependencies: [
            "Configuration", "TLS", "Net", "EventLog", "Systemd", "Report", "Telemetry", "History",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "ConfigurationTests", dependencies: ["Configuration"]),
        .testTarget(name: "TLSTests", dependencies: ["TLS"]),
        .testTarget(name: "MailTests", dependencies: [
            "Mail",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "ProxyProtocolTests", dependencies: ["ProxyProtocol", "Configuration"]),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog"]),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd", "EventLog"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "EventLog"]),
        .testTarget(name: "NetTests", dependencies: ["Net"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "History", "EventLog", "TLS"]),
    ]
)
