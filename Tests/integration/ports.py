"""Loopback port helpers shared by the backend stack, the daemon fixture and the tests."""

from __future__ import annotations

import socket
import time


_handed_out: set[int] = set()


def free_port(host: str = "127.0.0.1") -> int:
    """Returns a TCP port that was free on `host` a moment ago (the kernel's choice for port 0),
    never one this process handed out before: the kernel may offer a just-probed port again,
    and two listeners of one test would then get the same address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    while True:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def accepts_connections(host: str, port: int) -> bool:
    """True if a TCP connect to host:port succeeds right now."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until_listening(host: str, port: int, timeout: float, is_alive=lambda: True) -> None:
    """Polls host:port until it accepts a connection; raises TimeoutError otherwise.

    `is_alive` lets the caller stop waiting early when the process that should
    listen has already died.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if accepts_connections(host, port):
            return
        if not is_alive():
            raise RuntimeError(f"process exited before {host}:{port} accepted connections")
        time.sleep(0.05)
    raise TimeoutError(f"{host}:{port} did not accept connections within {timeout} s")
