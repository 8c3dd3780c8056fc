"""Settings. Every setting can come from an environment variable of the same name.

Defaults suit a small group on one machine: a SQLite database, a secret key and a data key generated
on first start under ``instance/`` (owner-only permissions), and mail written to files. With
``GROUPADMIN_ENV=production`` the defaults that only make sense on a laptop are refused.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and what to do."""


REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "GROUPADMIN_DATA_KEY", "DATABASE_URL")
# Settings whose development default lives under instance/.
INSTANCE_DEFAULTS = (*REQUIRED_IN_PRODUCTION, "MAIL_URL")


def _private_dir(path: Path) -> None:
    """Create `path` readable by its owner only, or tighten it: the development database (with its
    -wal and -shm files), the generated keys and the mail files live in it, and other local users must
    not read them whatever their own modes (SQLite creates its files under the process umask)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)


def _instance_secret(instance_path: Path, name: str) -> str:
    """Read a generated secret from instance/<name>, creating it (mode 0600) on first start."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load(instance_path: str | Path, environ: dict[str, str] | None = None) -> dict:
    """Build the settings mapping from the environment, with instance/ defaults."""
    env = os.environ if environ is None else environ
    instance = Path(instance_path)
    production = env.get("GROUPADMIN_ENV", "development") == "production"
    if production:
        missing = [name for name in REQUIRED_IN_PRODUCTION if not env.get(name)]
        if missing:
            raise ConfigError(
                "GROUPADMIN_ENV=production needs these settings in the environment: "
                + ", ".join(missing)
                + ". Generated defaults are only for development."
            )

    if not all(env.get(name) for name in INSTANCE_DEFAULTS):
        _private_dir(instance)

    base_url = env.get("BASE_URL", "http://127.0.0.1:" + env.get("PORT", "5000")).rstrip("/")
    secure = base_url.startswith("https://")
    return {
        "GROUPADMIN_ENV": env.get("GROUPADMIN_ENV", "development"),
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance, "secret_key"),
        "GROUPADMIN_DATA_KEY": env.get("GROUPADMIN_DATA_KEY") or _instance_secret(instance, "data_key"),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or f"sqlite:///{instance / 'groupadmin.sqlite3'}",
        "MAIL_URL": env.get("MAIL_URL") or f"file://{instance / 'mail'}",
        "MAIL_FROM": env.get("MAIL_FROM", "groupadmin@localhost"),
        "BASE_URL": base_url,
        # The relay: how many messages it claims at a time, and how long a claim lasts before another
        # relay may take the messages over (a crashed relay's batch is picked up after this).
        "MAIL_RELAY_BATCH": int(env.get("MAIL_RELAY_BATCH", "50")),
        "MAIL_LEASE_SECONDS": int(env.get("MAIL_LEASE_SECONDS", "300")),
        # How often the scheduler runs the relay (each run delivers everything due, then stops).
        "MAIL_RELAY_INTERVAL_SECONDS": int(env.get("MAIL_RELAY_INTERVAL_SECONDS", "10")),
        # Temporary failures are retried with exponential backoff (from this first delay, doubling,
        # at most two hours apart) for about a day; then the message fails.
        "MAIL_RETRY_BASE_SECONDS": int(env.get("MAIL_RETRY_BASE_SECONDS", "60")),
        "MAIL_RETRY_MAX_AGE": timedelta(hours=int(env.get("MAIL_RETRY_MAX_AGE_HOURS", "24"))),
        # After this, a sent or failed message keeps only its key, status and times.
        "MAIL_RETENTION": timedelta(days=int(env.get("MAIL_RETENTION_DAYS", "30"))),
        "MAIL_SMTP_TIMEOUT": float(env.get("MAIL_SMTP_TIMEOUT", "30")),
        # The scheduler's leader lease: renewed every poll; a standby takes over once it expires.
        "SCHEDULER_LEASE_SECONDS": int(env.get("SCHEDULER_LEASE_SECONDS", "40")),
        "SCHEDULER_POLL_SECONDS": float(env.get("SCHEDULER_POLL_SECONDS", "10")),
        # More modules declaring jobs, comma-separated (the domains' own are listed in the registry).
        "SCHEDULER_EXTRA_JOB_MODULES": [
            m.strip() for m in env.get("SCHEDULER_EXTRA_JOB_MODULES", "").split(",") if m.strip()
        ],
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # Where failed-login counts live: "database" (shared by every worker) or "memory" (one process).
        "LOGIN_THROTTLE_STORAGE": env.get("LOGIN_THROTTLE_STORAGE", "database"),
        "LOGIN_THROTTLE_FREE_ATTEMPTS": int(env.get("LOGIN_THROTTLE_FREE_ATTEMPTS", "5")),
        "LOGIN_THROTTLE_WINDOW": timedelta(minutes=int(env.get("LOGIN_THROTTLE_WINDOW_MINUTES", "15"))),
        "INVITATION_MAX_AGE": timedelta(days=int(env.get("INVITATION_MAX_AGE_DAYS", "7"))),
        "PASSWORD_RESET_MAX_AGE": timedelta(hours=int(env.get("PASSWORD_RESET_MAX_AGE_HOURS", "24"))),
        # Sessions end after two hours without a request; "remember me" is off unless ticked.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=2),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(env.get("REMEMBER_DAYS", "14"))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # WTForms' own messages ("This field is required.") in the page's language (Flask-WTF loads
        # WTForms' catalogues for flask_babel's locale); tests/resources test a Spanish form error.
        "WTF_I18N_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": {"en": "English", "es": "Español"},
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # Newsletters: a sign-up form sent sooner than this after it was shown is taken for a bot's; sign-up
        # requests per hour from one client and to one address; messages enqueued per batch; a scheduled
        # issue that could not start within this many hours of its time is held for the secretary.
        "NEWSLETTER_MIN_FILL_SECONDS": int(env.get("NEWSLETTER_MIN_FILL_SECONDS", "3")),
        "OUTREACH_CLIENT_LIMIT": int(env.get("OUTREACH_CLIENT_LIMIT", "10")),
        "OUTREACH_DIGEST_HOUR": int(env.get("OUTREACH_DIGEST_HOUR", "7")),
        "NEWSLETTER_CLIENT_LIMIT": int(env.get("NEWSLETTER_CLIENT_LIMIT", "20")),
        "NEWSLETTER_ADDRESS_LIMIT": int(env.get("NEWSLETTER_ADDRESS_LIMIT", "3")),
        "NEWSLETTER_BATCH": int(env.get("NEWSLETTER_BATCH", "500")),
        "NEWSLETTER_LATE_HOURS": int(env.get("NEWSLETTER_LATE_HOURS", "12")),
        # How far ahead dated meeting occurrences are kept generated (the nightly job and every save).
        "OCCURRENCE_WEEKS_AHEAD": int(env.get("OCCURRENCE_WEEKS_AHEAD", "12")),
        # The rota: contact details of people without a turn or a change for this many months are
        # forgotten; links in rota mail stop working when the date starts, or after this many days.
        "ROTA_INACTIVE_FORGET_MONTHS": int(env.get("ROTA_INACTIVE_FORGET_MONTHS", "12")),
        "ROTA_LINK_MAX_AGE": timedelta(days=int(env.get("ROTA_LINK_MAX_AGE_DAYS", "200"))),
        # The weekly rota summary to secretaries: weekday (Monday = 0) and local hour from which it goes.
        "ROTA_SUMMARY_WEEKDAY": int(env.get("ROTA_SUMMARY_WEEKDAY", "0")),
        "ROTA_SUMMARY_HOUR": int(env.get("ROTA_SUMMARY_HOUR", "8")),
        # Head counts: the currency of a group's collections until its secretary chooses one; the local
        # hour, the morning after a date without a count, of the one reminder; how long (days) the
        # chair's link to enter the count works.
        "ATTENDANCE_DEFAULT_CURRENCY": env.get("ATTENDANCE_DEFAULT_CURRENCY", "USD").upper(),
        "ATTENDANCE_REMINDER_HOUR": int(env.get("ATTENDANCE_REMINDER_HOUR", "9")),
        "ATTENDANCE_LINK_DAYS": int(env.get("ATTENDANCE_LINK_DAYS", "4")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
