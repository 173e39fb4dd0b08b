"""scripts/soak MINUTES: mixed load through every listener type of tlsfloord, in front of
the real Dovecot and Postfix of the integration harness, while a reload with a swapped
certificate runs every few seconds. Exits 1 on any failure, on a refused reload, on
tlsfloord dying, or when its descriptors or memory drift beyond the bounds in monitor.py."""

from __future__ import annotations

import hashlib
import imaplib
import os
import pathlib
import shutil
import signal
import smtplib
import sys
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "Tests" / "integration"))

from certs import make_certificate  # noqa: E402
from daemon import Daemon, Listener, LogFormatError, parse_record, render_config  # noqa: E402
from mailflow import make_message  # noqa: E402
from stack import MailStack  # noqa: E402

import monitor  # noqa: E402
import sessions  # noqa: E402
from load import Gate, Load, Tally  # noqa: E402
from turns import TurnTaking  # noqa: E402

RELOAD_EVERY = 5.0  # seconds
MALFORMED = "<malformed record>"


class CountingDaemon(Daemon):
    """Counts connection records by outcome instead of keeping them: an hour of them would
    not fit the harness's in-memory log."""

    def __init__(self, *args, **kwargs):
        self.outcomes: dict[str, int] = {}
        super().__init__(*args, **kwargs)

    def _collect(self, stream) -> None:
        for raw in stream:
            line = raw.decode(errors="replace").rstrip("\n")
            if " event=connection " in line:
                try:
                    outcome = parse_record(line).get("outcome", "?")
                except LogFormatError:
                    outcome = MALFORMED
                self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
                if outcome != MALFORMED:
                    continue
            with self._lines_changed:
                self.lines.append(line)
                self._lines_changed.notify_all()
        with self._lines_changed:
            self._lines_changed.notify_all()


def listeners(stack: MailStack) -> list[Listener]:
    backend = {"imap": stack.ports.imap, "pop3": stack.ports.pop3, "smtp": stack.ports.smtp}
    made = []
    for protocol, port in backend.items():
        made.append(Listener.on_free_port(protocol, protocol, "implicit", f"127.0.0.1:{port}"))
        made.append(Listener.on_free_port(f"starttls-{protocol}", protocol, "starttls", f"127.0.0.1:{port}"))
    made.append(Listener.on_free_port("legacy-imap", "imap", "implicit", f"127.0.0.1:{stack.ports.imap}",
                                      legacy={"action": "explain", "message": "Please update your mail client"}))
    return made


def seed_big_message(stack: MailStack) -> str:
    """Delivers 2 MiB to carol straight to Postfix; returns the digest Dovecot serves it with."""
    carol = stack.user("carol")
    body = hashlib.sha256(b"soak").hexdigest() * (2 * 1024 * 1024 // 64)
    body = "\r\n".join(body[index:index + 76] for index in range(0, len(body), 76))
    with smtplib.SMTP("127.0.0.1", stack.ports.smtp) as smtp:
        smtp.login(carol.address, carol.password)
        smtp.sendmail(carol.address, [carol.address], make_message(carol, carol, "soak big message", body))
    with imaplib.IMAP4("127.0.0.1", stack.ports.imap) as imap:
        imap.login(carol.address, carol.password)
        deadline = time.monotonic() + 30
        while imap.select("INBOX", readonly=True)[1][0] == b"0":
            if time.monotonic() > deadline:
                raise RuntimeError("the seeded message was not delivered")
            time.sleep(0.2)
        _, parts = imap.fetch("1", "(BODY.PEEK[])")
        return hashlib.sha256(parts[0][1]).hexdigest()


class Reloader(threading.Thread):
    """Swaps the served certificate between two and sends SIGHUP, every RELOAD_EVERY seconds."""

    def __init__(self, daemon: Daemon, served, pair, gate: Gate):
        super().__init__(daemon=True)
        self.daemon_process, self.served, self.pair, self.gate = daemon, served, pair, gate
        self.stop = threading.Event()
        self.done = 0
        self.refused: list[dict] = []

    def run(self) -> None:
        while not self.stop.wait(RELOAD_EVERY):
            with self.gate.session():
                self.reload_once()

    def reload_once(self) -> None:
        source = self.pair[self.done % 2]
        shutil.copy(source.certificate, self.served.certificate)
        shutil.copy(source.private_key, self.served.private_key)
        before = len(self.daemon_process.records(event="reload"))
        self.daemon_process.send_signal(signal.SIGHUP)
        record = self.daemon_process.wait_for_records(before + 1, timeout=30, event="reload")[-1]
        if record.get("outcome") != "ok":
            self.refused.append(record)
        self.done += 1


def main() -> int:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    root = pathlib.Path(tempfile.mkdtemp(prefix="tlsfloor-soak-"))
    root.chmod(0o755)
    stack = MailStack(root / "backends").start()
    daemon = None
    try:
        first, second = make_certificate(root / "certs", "first"), make_certificate(root / "certs", "second")
        served = make_certificate(root / "certs", "served")
        shutil.copy(first.certificate, served.certificate)
        shutil.copy(first.private_key, served.private_key)
        bundle = root / "certs" / "both.pem"
        bundle.write_text(first.certificate.read_text() + second.certificate.read_text())
        target = sessions.Target(ports={}, cafile=str(bundle), users={u.name: u for u in stack.users},
                                 big_message_sha256=seed_big_message(stack))
        front = listeners(stack)
        target.ports.update({listener.name: listener.port for listener in front})
        config = root / "tlsfloor.toml"
        config.write_text(render_config(certificate=served.certificate, private_key=served.private_key,
                                        listeners=front))
        daemon = CountingDaemon(config, front).wait_ready()
        pid = daemon.process.pid
        time.sleep(0.5)
        drift = monitor.Drift(baseline_fds=monitor.descriptors(pid), samples=[])

        gate, tally = Gate(), Tally()
        quick = sessions.QUICK
        schedules = [quick, quick[3:] + quick[:3], quick[5:] + quick[:5],
                     [sessions.submit_implicit], [sessions.submit_starttls], [sessions.slow_reader]]
        load = Load(target, schedules, gate, tally)
        reloader = Reloader(daemon, served, (second, first), gate)
        turns = TurnTaking(os.environ.get("TLSFLOOR_SOAK_LOCK"))
        sample_every = min(60.0, max(20.0, minutes * 60 / 5))
        print(f"soak: {minutes:g} min, tlsfloord pid {pid}, {drift.baseline_fds} fds at start, "
              f"quiescent sample every {sample_every:.0f} s", flush=True)
        turns.acquire()
        load.start()
        reloader.start()
        loaded = 0.0  # seconds under load; waits for the lock do not count
        last = time.monotonic()
        next_sample = sample_every
        finish_now = threading.Event()
        signal.signal(signal.SIGUSR1, lambda *_: finish_now.set())  # end early, with the report
        while loaded < minutes * 60 and daemon.process.poll() is None and not finish_now.is_set():
            time.sleep(1.0)
            now = time.monotonic()
            loaded, last = loaded + now - last, now
            if loaded >= next_sample:
                with gate.quiesced():
                    drift.samples.append(quiescent_sample(pid, drift.baseline_fds, loaded, reloader.done))
                    waited = turns.pass_on_if_due()
                last = time.monotonic()
                sample = drift.samples[-1]
                print(f"  t={sample.at:6.0f}s sessions={sum(tally.sessions.values())} "
                      f"failures={sum(tally.failures.values())} reloads={reloader.done} "
                      f"fds={sample.fds} rss={sample.rss_kib} KiB"
                      + (f" (waited {waited:.0f} s for the lock)" if waited else ""), flush=True)
                next_sample = loaded + sample_every
        reloader.stop.set()
        load.join()
        reloader.join(timeout=60)
        with gate.quiesced():
            drift.samples.append(quiescent_sample(pid, drift.baseline_fds, loaded, reloader.done))
            drift.reload_cost_kib = reload_cost_kib(pid, reloader)
        turns.release()
        hours = loaded / 3600
        return report(daemon, tally, reloader, drift, hours)
    finally:
        if daemon is not None and daemon.process.poll() is None:
            daemon.stop()
        stack.stop()
        shutil.rmtree(root, ignore_errors=True)


def quiescent_sample(pid: int, baseline_fds: int, at: float, reloads: int) -> monitor.Sample:
    fds = monitor.wait_for_baseline_fds(pid, baseline_fds)
    return monitor.Sample(at, fds, monitor.rss_kib(pid), reloads)


def reload_cost_kib(pid: int, reloader: Reloader, count: int = 100) -> float:
    """RSS per reload with no load at all: what a configuration load leaves behind (TOMLKit's
    leak, see .sanitizers/lsan.supp), measured on this configuration, so that the drift check
    can tell it from growth under load."""
    before = monitor.rss_kib(pid)
    for _ in range(count):
        reloader.reload_once()
    return (monitor.rss_kib(pid) - before) / count


def report(daemon: CountingDaemon, tally: Tally, reloader: Reloader, drift: monitor.Drift, hours: float) -> int:
    problems = drift.problems(hours)
    failures = sum(tally.failures.values())
    if failures:
        problems.append(f"{failures} session(s) failed")
    if reloader.refused:
        problems.append(f"{len(reloader.refused)} reload(s) refused, first: {reloader.refused[0]}")
    if daemon.process.poll() is not None:
        problems.append(f"tlsfloord exited with {daemon.process.returncode}:\n{daemon.log_tail()}")
    if daemon.outcomes.get(MALFORMED):
        problems.append(f"{daemon.outcomes[MALFORMED]} connection record(s) did not parse")
    errors = [line for line in daemon.log_text().splitlines() if "level=error" in line or "level=critical" in line]
    if errors:
        problems.append(f"{len(errors)} error line(s) in tlsfloord's log, first: {errors[0]}")
    print(f"\nsoak: {hours * 60:.1f} min, {sum(tally.sessions.values())} sessions, {failures} failures, "
          f"{reloader.done} reloads (certificate swapped each time)")
    for kind, count in sorted(tally.sessions.items()):
        print(f"  {kind:32} {count:7} {tally.failures[kind]:5} failed")
    print(f"  tlsfloord outcomes: {dict(sorted(daemon.outcomes.items()))}")
    settled = drift.settled
    print(f"  fds at quiescent points: start {drift.baseline_fds}, samples {[s.fds for s in drift.samples]}; "
          f"drift {monitor.slope_per_hour(drift.samples, lambda s: s.fds):+.1f}/h (allowed: none)")
    print(f"  RSS at quiescent points (KiB): {[s.rss_kib for s in drift.samples]}")
    print(f"  RSS after warm-up: {drift.rss_growth_kib:+d} KiB over {drift.settled_reloads} reloads; "
          f"{drift.reload_cost_kib:.1f} KiB per reload measured without load; the rest "
          f"{drift.load_growth_kib:+.0f} KiB = {drift.load_growth_kib / max(hours, 1e-9):+.0f} KiB/h "
          f"(allowed {drift.load_allowed_kib(hours):.0f} KiB = {monitor.RSS_SLACK_KIB} + "
          f"{monitor.RSS_LOAD_DRIFT_KIB_PER_HOUR}/h); raw slope "
          f"{monitor.slope_per_hour(settled, lambda s: s.rss_kib):+.0f} KiB/h")
    for example in tally.examples:
        print(f"  failure: {example}")
    for problem in problems:
        print(f"FAIL: {problem}")
    print("soak: OK" if not problems else "soak: FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
