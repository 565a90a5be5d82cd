"""The processes and servers the fault tests inject faults into: a Redis of their own, an
SMTP server that records what it receives, and the worker and beat of hms/Procfile.dev."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds: float = 60, every: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


class PrivateRedis:
    """redis-server on a port of its own, stopped and started again on demand."""

    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_for(self.answers, 10):
            raise RuntimeError("the test's own redis-server did not start")

    def answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class SmtpSink:
    """An SMTP server that records every message it receives. Like a real server (Postfix), it
    keeps a message once the final "." has arrived, even if the client is gone before the reply;
    `hold` delays that reply (a slow mail server)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list = []
        self.holding = threading.Event()
        self.hold = 0.0
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(client,), daemon=True).start()

    def _session(self, client: socket.socket) -> None:
        with client, client.makefile("rb") as lines:
            client.sendall(b"220 sink ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    client.sendall(b"250 sink\r\n")
                elif verb == b"DATA":
                    client.sendall(b"354 go on\r\n")
                    body = b"".join(iter(lines.readline, b".\r\n"))
                    if not self._accept(client, body):
                        return
                elif verb == b"QUIT":
                    client.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    client.sendall(b"250 ok\r\n")

    def _accept(self, client: socket.socket, body: bytes) -> bool:
        message = message_from_bytes(body)
        with self._lock:
            self.accepted.append((message["To"], message["Subject"], message["Message-ID"]))
        if self.hold:
            self.holding.set()
            time.sleep(self.hold)
        try:
            client.sendall(b"250 accepted\r\n")
        except OSError:
            return False  # the client died before the reply
        return True

    def copies(self) -> Counter:
        with self._lock:
            return Counter(self.accepted)

    def close(self) -> None:
        self.sock.close()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


SHELLS = {"sh", "dash", "bash"}


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Processes:
    """The worker and beat lines of hms/Procfile.dev, run by honcho as `make run` does."""

    def __init__(self, env: dict):
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        self.running[name] = subprocess.Popen(
            [sys.executable, "-m", "honcho", "-f", "hms/Procfile.dev", "-d", ".", "start", name],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def celery_pids(self, name: str) -> list[int]:
        """The celery processes (main and pool children) under honcho's `name` process."""
        return [
            pid
            for pid in _descendants(self.running[name].pid)
            # celery itself, not the shells of the `while …; do celery …` loop that restarts it
            if f"celery -A hms {name}" in _cmdline(pid) and _comm(pid) not in SHELLS
        ]

    def kill_celery(self, name: str) -> list[int]:
        """SIGKILL the celery processes of `name` (the restart loop above them survives)."""
        pids = self.celery_pids(name)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def stop(self, name: str) -> str:
        proc = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(os.getpgid(proc.pid), signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
            out, _ = proc.communicate(timeout=10)
        return out.decode(errors="replace")

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)
