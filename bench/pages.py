"""Benchmark: signed-in pages of a large intergroup under load, against /healthz as the baseline.

Seeds `seed-demo --scale intergroup` (about 2,000 groups, 4,000 meetings and five years of weekly head
counts: about a million dates and a million counts) into a throw-away database, serves the app with
`gunicorn -w 2` on loopback, and loads it with 16 concurrent connections from a bounded Python client
(threads and http.client), alternating the pages in short rounds in the same run (this machine's speed
drifts), for:

- the secretary's dashboard (`/`, with "counts to enter");
- a group's trends (the group page `/groups/<slug>/`: 12 weeks and 12 months of a group with five years
  of counts, charts and tables);
- `/healthz` (one query: the baseline).

It prints requests per second, p50/p95/p99 latency, each page's ratio to /healthz, and each page's SQL
query count (measured in-process on the same database). Targets (issue 7): p95 under 50 ms for both
pages, at most 12 queries each, and each page at least 25% of /healthz's requests per second.

Later issues add their pages to PAGES.

Run: `.venv/bin/python bench/pages.py` (SQLite), or on PostgreSQL:
`scripts/with-postgres.sh .venv/bin/python bench/pages.py --postgres`. A database that already holds
the benchmark's data is measured as it is, not seeded again: `--keep FILE` keeps a SQLite file between
runs, and a PostgreSQL database of your own can be reused by setting TEST_DATABASE_URL to it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from groupadmin import create_app  # noqa: E402
from groupadmin.extensions import db  # noqa: E402

CONNECTIONS = 16
ROUNDS = 5
ROUND_SECONDS = 3.0
EMAIL, PASSWORD = "secretary@example.org", "recovery-demo"
TREND_GROUP = "bench-0007"  # a benchmark group with five years of weekly counts
PAGES = {
    "dashboard": "/",
    "group trends": f"/groups/{TREND_GROUP}/",
    "healthz": "/healthz",
}
TARGET_P95_MS, TARGET_QUERIES, TARGET_RATIO = 50.0, 12, 0.25


def settings(database_url: str, directory: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench secret key",
        "GROUPADMIN_DATA_KEY": "bench data key",
        "MAIL_URL": f"file://{directory / 'mail'}",
        "BASE_URL": "http://127.0.0.1",
    }


def seed(config: dict) -> None:
    from flask_migrate import upgrade

    from groupadmin import demo
    from groupadmin.auth import services as auth
    from groupadmin.database import utcnow
    from groupadmin.groups import services as groups
    from groupadmin.groups.models import Group

    app = create_app(config)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        now = utcnow()
        demo.seed(now=now, scale="intergroup")
        # The secretary also leads one benchmark group, whose trends page is measured.
        group = db.session.scalar(sa.select(Group).where(Group.slug == TREND_GROUP))
        groups.grant_group_role(group, auth.find_user_by_email(EMAIL), "leader", actor=None, now=now)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        counts = {
            table: db.session.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
            for table in ("group", "meeting", "occurrence", "head_count")
        }
        db.session.remove()
        db.engine.dispose()
    print(
        f"seeded in {time.perf_counter() - started:.0f} s: "
        + ", ".join(f"{v:,} {k} rows" for k, v in counts.items())
    )


def seeded(config: dict) -> bool:
    """Whether the database already holds the benchmark's data (a kept SQLite file, or a PostgreSQL
    database kept between runs): then it is measured as it is."""
    engine = sa.create_engine(config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("group"):
                return False
            return bool(
                connection.scalar(sa.text('SELECT count(*) FROM "group" WHERE slug = :s'), {"s": TREND_GROUP})
            )
    finally:
        engine.dispose()


def query_counts(config: dict) -> dict[str, int]:
    """Each page's SQL statements, in-process on the same database: a warm request, as under load, in
    its own app context (as in production: nothing kept in `g` or the session between requests)."""
    app = create_app({**config, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        engine = db.engine
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    result = {}
    for name, path in PAGES.items():
        assert client.get(path).status_code == 200, path
        statements: list[str] = []

        def listen(conn, cursor, statement, *args, _s=statements):
            _s.append(statement)

        sa.event.listen(engine, "before_cursor_execute", listen)
        try:
            response = client.get(path)
        finally:
            sa.event.remove(engine, "before_cursor_execute", listen)
        assert response.status_code == 200, (path, response.status_code)
        result[name] = len(statements)
    engine.dispose()
    return result


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(config: dict, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": config["SECRET_KEY"],
        "GROUPADMIN_DATA_KEY": config["GROUPADMIN_DATA_KEY"],
        "MAIL_URL": config["MAIL_URL"],
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--backlog",
            "256",
            "--log-level",
            "warning",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "GET", "/healthz")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop(process)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, (response, data)
    finally:
        connection.close()


def log_in(port: int) -> str:
    """The session cookie of the signed-in secretary (through the real login form, CSRF included)."""
    _status, (response, data) = request(port, "GET", "/login")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', data).group(1).decode()
    body = urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    status, (response, _data) = request(
        port,
        "POST",
        "/login",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    assert status == 302, status
    return response.getheader("Set-Cookie").split(";", 1)[0]


def load(port: int, path: str, cookie: str, seconds: float) -> tuple[list[float], float, int]:
    """CONNECTIONS clients requesting `path` back to back for `seconds`: latencies (ms), elapsed, errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker():
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                status, _ = request(port, "GET", path, headers={"Cookie": cookie})
            except OSError:
                status = 0
            if status != 200:
                bad += 1
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started, errors[0]


# wrk reports each round's latency distribution as 199 quantiles (0.5 %, 1 %, ... 99.5 %); the rounds are
# pooled as that many equally likely values each, weighted by the round's number of requests.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SUMMARY %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
  for i = 1, 199 do
    io.write(string.format("Q %d\\n", latency:percentile(i / 2)))
  end
end
"""


def load_wrk(port: int, path: str, cookie: str, seconds: float, script: Path):
    """The same load from Debian's wrk (CONNECTIONS connections on two threads): (latency ms, weight)
    pairs, elapsed, requests, errors."""
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds:.0f}s",
            "-H",
            f"Cookie: {cookie}",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    quantiles: list[float] = []
    requests = duration = errors = 0
    for line in output.splitlines():
        parts = line.split()
        if parts[:1] == ["SUMMARY"]:
            requests, duration, errors = (int(x) for x in parts[1:])
        elif parts[:1] == ["Q"]:
            quantiles.append(int(parts[1]) / 1000)
    weight = requests / max(1, len(quantiles))
    return [(q, weight) for q in quantiles], duration / 1e6, requests, errors


def percentile(samples: list[tuple[float, float]], p: float) -> float:
    """The p-th percentile of weighted samples ((value, weight) pairs)."""
    ordered = sorted(samples)
    total = sum(w for _v, w in ordered)
    seen = 0.0
    for value, weight in ordered:
        seen += weight
        if seen >= total * p / 100:
            return value
    return ordered[-1][0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", action="store_true", help="use TEST_DATABASE_URL (scripts/with-postgres.sh sets it)"
    )
    parser.add_argument(
        "--keep", type=Path, help="a SQLite file to seed once and reuse in later runs (default: throw-away)"
    )
    parser.add_argument(
        "--page", action="append", default=[], metavar="NAME=PATH", help="measure another page too"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seconds", type=float, default=ROUND_SECONDS, help="per page per round")
    parser.add_argument(
        "--client",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="Debian's wrk when installed (less load on the machine), else threads and http.client",
    )
    args = parser.parse_args()
    for item in args.page:
        name, _, path = item.partition("=")
        PAGES[name] = path
    with tempfile.TemporaryDirectory(prefix="groupadmin-bench-pages-") as tmp:
        directory = Path(tmp)
        if args.postgres:
            url = os.environ["TEST_DATABASE_URL"]
        else:
            url = f"sqlite:///{(args.keep or directory / 'bench.sqlite3').resolve()}"
        config = settings(url, directory)
        if not seeded(config):
            seed(config)
        queries = query_counts(config)
        port = free_port()
        server = serve(config, port)
        try:
            cookie = log_in(port)
            for path in PAGES.values():  # warm every worker, and check that the session holds
                for _ in range(4):
                    status, _ = request(port, "GET", path, headers={"Cookie": cookie})
                    assert status == 200, (path, status)
            samples = {name: [] for name in PAGES}
            elapsed = dict.fromkeys(PAGES, 0.0)
            errors = dict.fromkeys(PAGES, 0)
            served = dict.fromkeys(PAGES, 0)
            names = list(PAGES)
            for round_no in range(args.rounds):
                order = names[round_no % len(names) :] + names[: round_no % len(names)]
                for name in order:
                    if args.client == "wrk":
                        script = directory / "report.lua"
                        script.write_text(WRK_SCRIPT)
                        weighted, seconds, done, bad = load_wrk(
                            port, PAGES[name], cookie, args.seconds, script
                        )
                    else:
                        latencies, seconds, bad = load(port, PAGES[name], cookie, args.seconds)
                        weighted, done = [(v, 1.0) for v in latencies], len(latencies)
                    samples[name] += weighted
                    served[name] += done
                    elapsed[name] += seconds
                    errors[name] += bad
        finally:
            stop(server)
    dialect = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{dialect}, gunicorn -w 2, {CONNECTIONS} connections ({args.client}), "
        f"{args.rounds} alternating rounds of {args.seconds:.0f} s per page"
    )
    print(
        f"{'page':<14}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'vs healthz':>12}"
        + f"{'queries':>9}{'errors':>8}"
    )
    rps = {name: served[name] / elapsed[name] for name in PAGES}
    verdicts = []
    for name in PAGES:
        values = samples[name]
        p50, p95, p99 = (percentile(values, p) for p in (50, 95, 99))
        ratio = rps[name] / rps["healthz"]
        print(
            f"{name:<14}{rps[name]:>8.0f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{ratio:>11.0%}{queries[name]:>9}"
            f"{errors[name]:>8}"
        )
        if name != "healthz":
            ok = p95 < TARGET_P95_MS and queries[name] <= TARGET_QUERIES and ratio >= TARGET_RATIO
            verdicts.append(
                f"{name}: p95 {p95:.1f} ms (< {TARGET_P95_MS:.0f}), "
                f"{queries[name]} queries (<= {TARGET_QUERIES}), "
                + f"{ratio:.0%} of /healthz (>= {TARGET_RATIO:.0%}): {'OK' if ok else 'MISSED'}"
            )
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
