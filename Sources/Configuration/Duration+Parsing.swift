/// Operator-facing durations such as `"500ms"`, `"10s"`, `"30m"`, `"2h"`.
enum DurationParser {
    static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            // A year is far beyond any sensible timeout; the bound keeps the Int64 conversion safe.
            guard let value = Double(number), value >= 0, value * unit.seconds <= 366 * 86_400 else { return nil }
            return .milliseconds(Int64((value * unit.seconds * 1000).rounded()))
        }
        return nil
    }
}

/// Operator-facing byte sizes such as `"256KiB"`, `"4MiB"` or a plain integer.
enum ByteSizeParser {
    static func parse(_ text: String) -> Int? {
        let units: [(suffix: String, factor: Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("B", 1)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let value = Int(text.dropLast(unit.suffix.count)), value >= 0 else { return nil }
            return value.multipliedReportingOverflow(by: unit.factor).overflow ? nil : value * unit.factor
        }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}

extension Duration {
    /// Whole milliseconds, for timers and logs.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
