"""A real SMTP server on loopback (aiosmtpd) that records what it accepts and answers as told, and helpers
to run the app's commands in other processes against the test database.

Import the fixtures into a test folder's conftest: ``from tests.smtp_sink import smtp_sink  # noqa``.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """The handler: scripted answers first (per recipient, or for the next RCPT / DATA), else accept."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay  # seconds per accepted message: a slower server, for tests that race it
        self.lock = threading.Lock()
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.sessions = 0
        self.rcpt_answers: deque[str] = deque()
        self.data_answers: deque[str] = deque()
        self.refuse: dict[str, str] = {}

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.sessions += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.refuse:
                return self.refuse[address]
            if self.rcpt_answers:
                return self.rcpt_answers.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.data_answers:
                return self.data_answers.popleft()
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    # What arrived ---------------------------------------------------------------------------------

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def message_ids(self) -> list[str]:
        with self.lock:
            return [
                m.group(1).decode() for _, _, content in self.messages if (m := _MESSAGE_ID.search(content))
            ]

    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.message_ids()).values() if n > 1)


class SinkServer:
    def __init__(self, port: int | None = None, *, refuse_auth: bool = False, delay: float = 0.0):
        self.port = port or free_port()
        self.handler = Sink(delay)
        kwargs = {}
        if refuse_auth:
            kwargs = {
                "auth_require_tls": False,
                "authenticator": lambda *a: AuthResult(success=False, handled=False),
            }
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SinkServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, n: int, timeout: float = 30.0) -> int:
        """Poll (bounded) until at least `n` messages arrived; returns the count."""
        deadline = time.monotonic() + timeout
        while self.handler.count() < n and time.monotonic() < deadline:
            pause(0.01)
        return self.handler.count()


@pytest.fixture
def smtp_sink():
    server = SinkServer().start()
    yield server
    server.stop()


# ---------------------------------------------------------------------------------------------------
# Other processes


def app_env(database_url: str, **settings) -> dict[str, str]:
    """The environment of a `flask --app app ...` process sharing the test database and keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "SCHEDULER_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="test secret key",
        GROUPADMIN_DATA_KEY="test data key",
        MAIL_FROM="Group mail <groupadmin@example.org>",
        BASE_URL="http://localhost",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    env.update({k: str(v) for k, v in settings.items()})
    return env


def flask_process(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(process: subprocess.Popen, timeout: float = 60.0) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"process did not finish in {timeout}s:\n{err.decode()[-3000:]}") from None
    return process.returncode, out.decode(), err.decode()


def kill(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    process.communicate(timeout=30)


def pause(seconds: float) -> None:
    """Wait a little. Not `time.sleep`: under libfaketime (`make test-dates`) it answers EINVAL."""
    threading.Event().wait(seconds)


def poll(condition, timeout: float = 30.0, interval: float = 0.05):
    """Call `condition` until it returns something truthy (returned), at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        pause(interval)
