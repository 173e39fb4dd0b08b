"""A plain-TCP backend that checks a relay byte for byte (the real mail backends live in stack.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import threading

from ports import free_port


@dataclasses.dataclass
class Session:
    """What the backend saw on one connection."""

    peer: tuple
    received_bytes: int = 0
    received_sha256: str = ""
    sent_sha256: str = ""
    finished: threading.Event = dataclasses.field(default_factory=threading.Event)


class ThreadedBackend:
    """A backend on a free 127.0.0.1 port serving each connection on its own thread with
    `serve(connection)`; subclasses say what serving means."""

    def __init__(self):
        self.port = free_port()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._accepting = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepting.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def serve(self, connection: socket.socket, peer) -> None:
        raise NotImplementedError

    def _accept_loop(self) -> None:
        while True:
            try:
                connection, peer = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(connection, peer), daemon=True).start()

    def close(self) -> None:
        # close() alone leaves the socket listening while the accept thread is
        # blocked in accept(); shutdown() stops it listening and wakes the thread.
        try:
            self._server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._server.close()
        self._accepting.join(timeout=5)


class ByteExactBackend(ThreadedBackend):
    """Accepts connections on 127.0.0.1; for each one it reads until EOF (hashing what
    arrived) and sends `payload`, then closes.

    mode "concurrent": send the payload while reading, close after both are done.
    mode "after_eof": send the payload only once the client's EOF arrived — this only
    works through a relay that passes a half-close on.
    """

    def __init__(self, payload: bytes, mode: str = "concurrent"):
        assert mode in ("concurrent", "after_eof")
        self.payload = payload
        self.mode = mode
        self.sessions: list[Session] = []
        super().__init__()

    @classmethod
    def random(cls, size: int, mode: str = "concurrent") -> "ByteExactBackend":
        return cls(os.urandom(size), mode)

    def serve(self, connection: socket.socket, peer) -> None:
        session = Session(peer=peer, sent_sha256=hashlib.sha256(self.payload).hexdigest())
        self.sessions.append(session)
        connection.settimeout(60)
        sender = threading.Thread(target=self._send_payload, args=(connection,), daemon=True)
        try:
            if self.mode == "concurrent":
                sender.start()
            digest = hashlib.sha256()
            while True:
                data = connection.recv(262144)
                if not data:
                    break
                digest.update(data)
                session.received_bytes += len(data)
            session.received_sha256 = digest.hexdigest()
            if self.mode == "after_eof":
                sender.start()
            sender.join(timeout=60)
        except OSError:
            pass
        finally:
            connection.close()
            session.finished.set()

    def _send_payload(self, connection: socket.socket) -> None:
        try:
            connection.sendall(self.payload)
        except OSError:
            pass  # the relay went away; the test sees it in what the client received

