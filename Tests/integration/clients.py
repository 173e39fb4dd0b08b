"""Client-side helpers: TLS contexts pinned to one version, a TLS stream with half-close,
plain line-protocol sessions, and `openssl s_client`."""

from __future__ import annotations

import hashlib
import select
import socket
import ssl
import subprocess
import warnings
from typing import Sequence

VERSIONS = {
    "1.0": ssl.TLSVersion.TLSv1,
    "1.1": ssl.TLSVersion.TLSv1_1,
    "1.2": ssl.TLSVersion.TLSv1_2,
    "1.3": ssl.TLSVersion.TLSv1_3,
}
PROTOCOL_NAMES = {"1.0": "TLSv1", "1.1": "TLSv1.1", "1.2": "TLSv1.2", "1.3": "TLSv1.3"}
LOG_VERSION_NAMES = {"1.0": "TLSv1.0", "1.1": "TLSv1.1", "1.2": "TLSv1.2", "1.3": "TLSv1.3"}


def client_context(version: str | None = None, cafile=None) -> ssl.SSLContext:
    """A client context that verifies against `cafile` (if given) and, with `version`,
    offers exactly that TLS version. Legacy versions get security level 0 so that the
    client really sends a TLS 1.0/1.1 ClientHello (OpenSSL 3 would refuse to otherwise)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if cafile is None:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.load_verify_locations(cafile=str(cafile))
    if version is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            if version in ("1.0", "1.1"):
                context.set_ciphers("DEFAULT@SECLEVEL=0")
            context.minimum_version = VERSIONS[version]
            context.maximum_version = VERSIONS[version]
    return context


class TLSStream:
    """A TLS client over a MemoryBIO so the test controls every record, including
    sending close_notify while still reading (TLS half-close)."""

    def __init__(self, sock: socket.socket, context: ssl.SSLContext, server_hostname: str | None):
        self.sock = sock
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname=server_hostname)
        self.peer_closed = False
        self._buffer = b""

    @classmethod
    def connect(cls, host: str, port: int, context: ssl.SSLContext,
                server_hostname: str | None = "localhost", timeout: float = 20) -> "TLSStream":
        sock = socket.create_connection((host, port), timeout=timeout)
        stream = cls(sock, context, server_hostname)
        stream.handshake()
        return stream

    @classmethod
    def over(cls, sock: socket.socket, context: ssl.SSLContext,
             server_hostname: str | None = "localhost") -> "TLSStream":
        """Starts TLS on an already connected socket (after STARTTLS)."""
        stream = cls(sock, context, server_hostname)
        stream.handshake()
        return stream

    def _flush(self) -> None:
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def _fill(self) -> bool:
        """Reads from the socket into the TLS engine; False on TCP EOF."""
        data = self.sock.recv(65536)
        if not data:
            self.incoming.write_eof()
            return False
        self.incoming.write(data)
        return True

    def handshake(self, then_send: bytes = b"") -> None:
        """`then_send` goes out in the same TCP segment as the client's last handshake
        flight, as a client that pipelines its first command right behind Finished does."""
        while True:
            try:
                self.tls.do_handshake()
                if then_send:
                    self.tls.write(then_send)
                self._flush()
                return
            except ssl.SSLWantReadError:
                self._flush()
                if not self._fill():
                    try:
                        self.tls.do_handshake()  # raises the alert or EOF error, if the engine has one
                    except ssl.SSLWantReadError:
                        pass
                    raise ConnectionError("peer closed the connection during the TLS handshake")

    @property
    def version(self) -> str | None:
        return self.tls.version()

    def cipher(self):
        return self.tls.cipher()

    def send(self, data: bytes) -> None:
        self.tls.write(data)
        self._flush()

    def recv(self) -> bytes:
        """Next decrypted bytes; b"" once the peer sent close_notify or closed TCP."""
        if self._buffer:
            data, self._buffer = self._buffer, b""
            return data
        while True:
            try:
                return self.tls.read(65536)
            except ssl.SSLWantReadError:
                self._flush()
                if not self._fill():
                    self.peer_closed = True  # TCP EOF without close_notify
                    return b""
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                self.peer_closed = True
                return b""

    def recv_line(self) -> bytes:
        """One line including its LF (or what is left when the peer closes)."""
        while b"\n" not in self._buffer:
            data = self.recv()
            if not data:
                line, self._buffer = self._buffer, b""
                return line
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line + b"\n"

    def close_write(self) -> None:
        """Sends close_notify without waiting for the peer's (half-close)."""
        try:
            self.tls.unwrap()
        except ssl.SSLWantReadError:
            pass
        self._flush()

    def close(self) -> None:
        self.sock.close()

    def exchange(self, upload: bytes, chunk: int = 16384) -> bytes:
        """Sends `upload` while reading whatever arrives, then half-closes (close_notify)
        and reads until the peer closes. Single-threaded with select, so neither
        direction can stall the other."""
        received = bytearray()
        outbox = bytearray()
        sent = 0
        self.sock.setblocking(False)
        try:
            while True:
                if sent < len(upload) and len(outbox) < 4 * chunk:
                    self.tls.write(upload[sent:sent + chunk])
                    sent = min(len(upload), sent + chunk)
                    if sent == len(upload):
                        # Records that came with the end of the handshake (a backend greeting
                        # right behind the server's Finished) must be read first: OpenSSL's
                        # shutdown refuses application data it finds after our close_notify.
                        while self.tls.pending() or self.incoming.pending:
                            try:
                                piece = self.tls.read(262144)
                            except (ssl.SSLWantReadError, ssl.SSLZeroReturnError, ssl.SSLEOFError):
                                break  # the loop below sees the close again
                            if not piece:
                                break
                            received += piece
                        try:
                            self.tls.unwrap()
                        except ssl.SSLWantReadError:
                            pass
                outbox += self.outgoing.read()
                readable, writable, _ = select.select(
                    [self.sock], [self.sock] if outbox else [], [], 30)
                if not readable and not writable:
                    raise TimeoutError(
                        f"relay stalled: sent {sent}/{len(upload)}, received {len(received)}")
                if writable:
                    del outbox[:self.sock.send(outbox)]
                if readable:
                    data = self.sock.recv(262144)
                    if data:
                        self.incoming.write(data)
                    else:
                        self.incoming.write_eof()
                    while True:
                        try:
                            piece = self.tls.read(262144)
                        except ssl.SSLWantReadError:
                            break
                        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                            piece = b""
                        if not piece:
                            self.peer_closed = True
                            if sent < len(upload) or outbox:
                                raise AssertionError(
                                    f"peer closed after sending {len(received)} bytes while our "
                                    f"upload was at {sent}/{len(upload)}")
                            return bytes(received)
                        received += piece
        finally:
            self.sock.setblocking(True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- plaintext line sessions

class LineSession:
    """A plaintext line-oriented session (before STARTTLS)."""

    def __init__(self, host: str, port: int, timeout: float = 10, source: str | None = None):
        """`source`: the local address to connect from (another loopback address is another client)."""
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        while b"\n" not in self.buffer:
            data = self.sock.recv(4096)
            if not data:
                rest, self.buffer = self.buffer, b""
                return rest
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line + b"\n"

    def smtp_reply(self) -> list[bytes]:
        """All lines of one SMTP reply (continuation lines have a '-' after the code)."""
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                return lines

    def imap_until_tagged(self, tag: bytes) -> list[bytes]:
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if not line or line.startswith(tag + b" "):
                return lines

    def close(self) -> None:
        self.sock.close()


# ---------------------------------------------------------------- openssl s_client

def s_client(port: int, *options: str, host: str = "127.0.0.1", stdin: bytes = b"",
             timeout: float = 20, servername: str | None = "localhost",
             launcher: Sequence[str] = ()) -> subprocess.CompletedProcess:
    """Runs `openssl s_client` against host:port; stdout+stderr merged, as text.
    `servername=None` sends no SNI at all; `launcher` prefixes the command line
    (`ip netns exec NAME` for a client on a host of a test's own network)."""
    sni = ["-servername", servername] if servername is not None else ["-noservername"]
    return subprocess.run(
        [*launcher, "openssl", "s_client", "-connect", f"{host}:{port}", *sni, *options],
        input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
