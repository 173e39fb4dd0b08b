import Foundation

/// Files of the repository the tests read as shipped (the default notice template).
enum ShippedFiles {
    static func path(_ relative: String) -> String {
        // Tests/ReportTests/ShippedFiles.swift → the repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }
}
