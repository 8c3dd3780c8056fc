"""Entry point: `flask --app app ...` and `gunicorn app:app`."""

from groupadmin import create_app

app = create_app()
