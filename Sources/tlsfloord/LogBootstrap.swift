import Configuration
import EventLog
import Logging

/// Chooses where records go, once, before anything logs.
enum LogBootstrap {
    static func install(_ settings: LogSettings) {
        let level = Logger.Level(settings.level)
        LoggingSystem.bootstrap { _ in StderrLogHandler(level: level) }
    }
}

extension Logger.Level {
    init(_ level: LogSettings.Level) {
        switch level {
        case .debug: self = .debug
        case .info: self = .info
        case .notice: self = .notice
        case .warning: self = .warning
        case .error: self = .error
        }
    }
}
