import Dispatch
import Glibc

/// One socket and its Dispatch sources. The fd is closed only after every
/// source on it has been cancelled (closing earlier lets the kernel reuse
/// the number under a live source). The write source is created on first
/// need: most connections never wait for writability.
final class SocketHandle {
    let fd: Int32
    private let queue: DispatchQueue
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private(set) var isReading = false
    private(set) var isWriting = false
    private var openSources = 0
    private(set) var isClosed = false

    init(fd: Int32, queue: DispatchQueue) {
        self.fd = fd
        self.queue = queue
    }

    func onReadable(_ handler: @escaping () -> Void) {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler(handler: handler)
        source.setCancelHandler { [self] in sourceCancelled() }
        openSources += 1
        readSource = source
    }

    func onWritable(_ handler: @escaping () -> Void) {
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler(handler: handler)
        source.setCancelHandler { [self] in sourceCancelled() }
        openSources += 1
        writeSource = source
    }

    /// Starts or stops watching for readability; balanced resume/suspend.
    func watchReadable(_ on: Bool) {
        guard let readSource, on != isReading, !isClosed else { return }
        on ? readSource.resume() : readSource.suspend()
        isReading = on
    }

    func watchWritable(_ on: Bool) {
        guard let writeSource, on != isWriting, !isClosed else { return }
        on ? writeSource.resume() : writeSource.suspend()
        isWriting = on
    }

    var hasWriteWatcher: Bool { writeSource != nil }

    /// Cancels the sources and closes the fd once they are gone.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if openSources == 0 {
            Glibc.close(fd)
            return
        }
        // A suspended source never runs its cancel handler: resume first.
        if let readSource {
            readSource.cancel()
            if !isReading { readSource.resume() }
        }
        if let writeSource {
            writeSource.cancel()
            if !isWriting { writeSource.resume() }
        }
        isReading = false
        isWriting = false
    }

    private func sourceCancelled() {
        openSources -= 1
        if openSources == 0 {
            Glibc.close(fd)
            readSource = nil
            writeSource = nil
        }
    }
}
