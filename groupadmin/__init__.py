"""groupadmin: the back office of peer-led recovery groups."""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.middleware.proxy_fix import ProxyFix

import config as settings
import groupadmin.models  # noqa: F401  (every domain's models, for Alembic and relationships)
from groupadmin import crypto, templating, web
from groupadmin.admin.views import bp as admin_bp
from groupadmin.attendance import services as attendance_services
from groupadmin.attendance.views import bp as attendance_bp
from groupadmin.auth import services as auth_services
from groupadmin.auth.views import bp as auth_bp
from groupadmin.cli import create_admin, seed_demo
from groupadmin.database import end_read_only_transactions
from groupadmin.extensions import babel, csrf, db, login_manager, migrate
from groupadmin.formats.views import bp as formats_bp
from groupadmin.groups.views import bp as groups_bp
from groupadmin.home import display as home_display
from groupadmin.home.views import bp as home_bp
from groupadmin.mail import services as mail_services
from groupadmin.mail.cli import mail_cli
from groupadmin.mail.views import bp as mail_bp
from groupadmin.meetings import services as meeting_services
from groupadmin.meetings.cli import meetings_cli
from groupadmin.meetings.views import bp as meetings_bp
from groupadmin.newsletters import services as newsletter_services
from groupadmin.newsletters.views import bp as newsletters_bp
from groupadmin.outreach.views import bp as outreach_bp
from groupadmin.reports.views import bp as reports_bp
from groupadmin.resources.views import bp as resources_bp
from groupadmin.rota import services as rota_services
from groupadmin.rota.views import bp as rota_bp
from groupadmin.scheduler import registry as scheduler_registry
from groupadmin.scheduler.cli import scheduler_cli

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("groupadmin")


def create_app(config: dict | None = None) -> Flask:
    """The application factory: settings from the environment, then `config` on top (tests)."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(settings.load(app.instance_path))
    if config:
        app.config.update(config)

    configure_logging(app)
    register_extensions(app)
    web.init_app(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    templating.register(app)
    register_hooks()
    register_platform_hooks()
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
    return app


# ---------------------------------------------------------------------------------------------------


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    crypto.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    login_manager.user_loader(home_display.load_user)

    end_read_only_transactions(app, db.session)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Erased personal data (outbox bodies, newcomers' details) must not linger in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def select_locale() -> str | None:
    languages = list(settings_languages())
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    browser = request.accept_languages.best_match(languages) if request else None
    if browser:
        return browser
    scope = g.get("group") or g.get("organisation")
    if scope is not None and scope.locale in languages:
        return scope.locale
    return None


def settings_languages():
    return current_app.config["LANGUAGES"].keys()


def register_blueprints(app: Flask) -> None:

    for bp in (
        home_bp,
        auth_bp,
        groups_bp,
        admin_bp,
        mail_bp,
        meetings_bp,
        formats_bp,
        rota_bp,
        attendance_bp,
        newsletters_bp,
        resources_bp,
        reports_bp,
        outreach_bp,
    ):
        app.register_blueprint(bp)


def register_hooks() -> None:
    """Who hears of a changed occurrence, in order: head counts may refuse (a counted date took place),
    then the rota releases the date's turns and tells the people."""
    meeting_services.on_occurrences_changed(attendance_services.keep_counted_dates)
    meeting_services.on_occurrences_changed(rota_services.release_for_changes)


def register_errorhandlers(app: Flask) -> None:
    messages = {
        400: _l("The request could not be understood. Go back, reload the page and try again."),
        403: _l("You don't have permission to do this."),
        404: _l("There is nothing here. The address may be mistyped, or the page has moved."),
        405: _l("That action is not possible on this page."),
        413: _l("That file is too large."),
        429: _l("Too many attempts. Please wait a little and try again."),
        500: _l("Something went wrong on our side. It has been logged; please try again in a moment."),
    }

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code >= 500:
            db.session.rollback()
        message = messages.get(code, messages[500])
        if isinstance(error, CSRFError):
            message = _l(
                "This form had expired or was sent from another site. Reload the page and try again."
            )
        return render_template("errors/error.html", code=code, message=message), code

    def render_conflict(error):
        """Two requests saving the same thing at once (a double submit, two secretaries): the database
        refused the second; nothing of it was saved. A message, never a 500."""
        db.session.rollback()
        log.warning("conflict", extra={"fields": {"path": redact_path(request.path)}})
        message = _l("This was saved at the same moment by another request. Reload the page to see it.")
        return render_template("errors/error.html", code=409, message=message), 409

    for code in messages:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_error)
    app.register_error_handler(IntegrityError, render_conflict)


# Secrets in paths (links from emails, calendar tokens) are redacted in the request log.
_SECRET_PATH = re.compile(r"^(/r/[^/]+/|/feeds/cal/)[^/]+")


def redact_path(path: str) -> str:
    return _SECRET_PATH.sub(r"\1[redacted]", path)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if current_user and current_user.is_authenticated:
            # Shared computers in church halls: nothing of a signed-in page stays in a cache.
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response

    @app.after_request
    def log_request(response):
        if request.endpoint != "static":
            elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            log.info(
                "request",
                extra={
                    "fields": {
                        "method": request.method,
                        "path": redact_path(request.path),
                        "status": response.status_code,
                        "ms": round(elapsed, 1),
                        "user": current_user.id if current_user and current_user.is_authenticated else None,
                    }
                },
            )
        return response


class StructuredFormatter(logging.Formatter):
    """One JSON line. Callers put ids and counts in `extra={"fields": ...}`; never personal data."""

    def format(self, record):
        line = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(app: Flask) -> None:
    logger = logging.getLogger("groupadmin")
    if not any(isinstance(h.formatter, StructuredFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(StructuredFormatter())
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    # Werkzeug's own access log prints full paths (with link tokens): ours replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_admin)
    app.cli.add_command(mail_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(meetings_cli)


# ---------------------------------------------------------------------------------------------------
# The platform (mail, scheduler) names no domain: the factory hands them what they need.

# Where the periodic jobs live: the one list (the scheduler imports them when it loads its jobs).
JOB_MODULES = (
    "groupadmin.meetings.jobs",
    "groupadmin.rota.jobs",
    "groupadmin.attendance.jobs",
    "groupadmin.newsletters.jobs",
    "groupadmin.resources.jobs",
    "groupadmin.reports.jobs",
    "groupadmin.outreach.jobs",
    "groupadmin.mail.jobs",
)


def register_platform_hooks() -> None:
    """The scheduler's job modules and status lines (the outbox's), who counts as an account holder
    for the outbox (account holders get no stop link), and who hears of mail that failed for good
    (newsletters mark the subscription bounced)."""
    scheduler_registry.use_job_modules(JOB_MODULES)
    scheduler_registry.report_status(mail_services.status_lines)
    mail_services.recognise_account_holders(auth_services.is_account_holder)
    mail_services.on_delivery_failed(newsletter_services.record_delivery_failure)
