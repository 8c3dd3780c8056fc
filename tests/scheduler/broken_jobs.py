from __future__ import annotations

from groupadmin.mail import services
from groupadmin.scheduler.registry import job


@job("test-broken", hours=1)
def broken(now) -> None:
    services.enqueue(
        key="broken",
        to="pat@example.net",
        subject="x",
        template="mail/send_test",
        context={"n": 1, "count": 1, "run": "x"},
        now=now,
    )
    raise RuntimeError("could not reach pat@example.net")
