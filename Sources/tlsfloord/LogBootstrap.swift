import Configuration
import EventLog
import Logging
import Systemd

/// Chooses where records go, once, before anything logs: the journal's
/// native fields when asked to or when stderr is the journal anyway
/// (`JOURNAL_STREAM`), `key=value` lines on stderr otherwise.
enum LogBootstrap {
    static func install(_ settings: LogSettings, override: LogSettings.Target?) {
        let level = Logger.Level(settings.level)
        let useJournal: Bool
        switch override ?? settings.target {
        case .journal: useJournal = true
        case .stderr: useJournal = false
        case .auto: useJournal = JournalStream.isStderrJournal()
        }
        LoggingSystem.bootstrap { _ in
            useJournal ? JournalLogHandler(logLevel: level) as any LogHandler : StderrLogHandler(level: level)
        }
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
