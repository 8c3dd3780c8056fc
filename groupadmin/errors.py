"""The errors a person sees, shared by every domain.

`UserError` is a refusal the person can act on: a translated message, and where it belongs on the form
(`field`, or several fields in `problems`). Services raise it (or a domain's subclass, to catch it
apart); views put it beside the field with `groupadmin.web.show_error` and answer 422.

`LinkProblem` is what a signed link from an email or a calendar answers when it cannot be used:
expired, tampered, or pointing at something that is gone. `status` is the HTTP status of the page
(404 for a link that was never ours, 410 for one that was and no longer works).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class UserError(Exception):
    """A user-facing refusal: str(error) is the message; `problems` maps form fields to messages."""

    status = 422

    def __init__(self, message=None, *, field: str | None = None, problems: dict | None = None):
        problems = dict(problems or {})
        if field and message is not None:
            problems.setdefault(field, message)
        if message is None:
            message = next(iter(problems.values()), "")
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.problems = problems

    @classmethod
    def of(cls, problems: dict):
        """One error for several fields at once (the first message stands for all)."""
        return cls(problems=problems)


class LinkProblem(Exception):
    """A signed link that cannot be used; the page says `message` with `status`."""

    INVALID = _l("This link is not valid. Check that it was copied whole.")
    EXPIRED = _l("This link has expired.")

    def __init__(self, message, status: int = 410):
        super().__init__(str(message))
        self.message, self.status = message, status

    @classmethod
    def invalid(cls, message=None) -> LinkProblem:
        return cls(message or cls.INVALID, 404)
