"""A second, independent iCalendar reader for the tests: ical.js (the parser behind many web calendars)
run with node on tests/js/expand.mjs. It resolves times only through the document's own VTIMEZONEs,
where the `icalendar` package looks the TZID up in its own zone database, so the two together check both
the events and the zones we write.

`make test` installs node (scripts/system-deps.sh) and the pinned ical.js (`npm ci` in tests/js); a test
using it skips only when node is absent, and installs ical.js itself when it is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"


def _ready() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (make test installs it)")
    if not (JS / "node_modules" / "ical.js").is_dir():
        npm = shutil.which("npm")
        assert npm, "node is installed without npm: install npm (make test does)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=JS, check=True)
    return node


def expand(body: bytes, start: date, end: date) -> list[dict]:
    """Every instance from `start` to `end` (excluded) as ical.js reads `body`: dicts of uid, summary,
    status, local (wall-clock ISO time in the event's zone), zone, utc and end_utc (ISO, ending in Z)."""
    node = _ready()
    process = subprocess.Popen(
        [node, str(JS / "expand.mjs"), start.isoformat(), end.isoformat()],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Bounded by a timer that kills it, not by communicate(timeout=...): under libfaketime
    # (`make test-dates`) a timed select answers EINVAL, while an Event's wait works.
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        stdout, stderr = process.communicate(body)
    finally:
        watchdog.cancel()
    assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]
    return json.loads(stdout)
