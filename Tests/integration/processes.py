"""Ending helper processes the tests started (HAProxy, journald): politely, then for sure."""

from __future__ import annotations

import subprocess


def terminate(process: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM, and SIGKILL if it is still there after `grace` seconds; a no-op once it exited."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
