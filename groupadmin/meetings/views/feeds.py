"""The public feeds: Meeting Guide JSON and iCalendar, with ETag/Last-Modified (a 304 costs one
aggregate query) and CORS for meeting finders embedded on other sites."""

from __future__ import annotations

import json

from flask import abort, current_app, request

from groupadmin.database import utcnow
from groupadmin.groups.models import FELLOWSHIPS
from groupadmin.meetings import feeds, services
from groupadmin.meetings.views import bp
from groupadmin.meetings.views.common import organisation_or_404
from groupadmin.permissions import requires

FEED_MAX_AGE = 300  # seconds that feed readers and proxies may keep a copy

# Bodies of the latest feed versions, by ETag: the feeds are public and identical for every reader (a
# meeting finder embedded on a website fetches them for each visitor), so one build serves them all
# until anything changes. Per process, small, and never stale: the ETag changes with every change.
_BODY_CACHE: dict[str, bytes] = {}
_BODY_CACHE_SIZE = 8


def _cached_body(etag: str, build) -> bytes:
    body = _BODY_CACHE.get(etag)
    if body is None:
        body = build()
        body = body.encode() if isinstance(body, str) else body
        while len(_BODY_CACHE) >= _BODY_CACHE_SIZE:
            _BODY_CACHE.pop(next(iter(_BODY_CACHE)))
        _BODY_CACHE[etag] = body
    return body


def _feed_response(organisation, *, scope: str, build, mimetype: str):
    now = utcnow()
    base_url = current_app.config["BASE_URL"]
    version = feeds.feed_version(organisation, now=now, base_url=base_url, scope=scope)
    response = current_app.response_class(mimetype=mimetype)
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.make_conditional(request)
    if response.status_code != 304:
        response.set_data(_cached_body(f"{organisation.id}:{version.etag}", lambda: build(now, base_url)))
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    return response


@bp.route("/feeds/<org_slug>/meeting-guide.json")
@requires("public")
def meeting_guide(org_slug):
    organisation = organisation_or_404(org_slug)
    fellowship = request.args.get("fellowship") or None
    if fellowship is not None and fellowship not in FELLOWSHIPS:
        response = current_app.response_class(
            json.dumps({"error": "unknown fellowship", "choices": list(FELLOWSHIPS)}),
            status=400,
            mimetype="application/json",
        )
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    def build(now, base_url):
        data = feeds.meeting_guide(organisation, now=now, base_url=base_url, fellowship=fellowship)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    return _feed_response(organisation, scope=f"json:{fellowship}", build=build, mimetype="application/json")


@bp.route("/feeds/<org_slug>/meetings.ics")
@requires("public")
def organisation_ics(org_slug):
    organisation = organisation_or_404(org_slug)
    return _feed_response(
        organisation,
        scope="ics",
        mimetype="text/calendar",
        build=lambda now, base_url: feeds.ics(organisation, now=now, base_url=base_url),
    )


@bp.route("/feeds/<org_slug>/<group_slug>/meetings.ics")
@requires("public")
def group_ics(org_slug, group_slug):
    organisation = organisation_or_404(org_slug)
    group = services.listed_group(organisation, group_slug)
    if group is None:  # a group that lists nothing answers like one that does not exist
        abort(404)
    return _feed_response(
        organisation,
        scope=f"ics:{group.id}:{group.mail_name}",
        mimetype="text/calendar",
        build=lambda now, base_url: feeds.ics(
            organisation, now=now, base_url=base_url, group=group, name=group.mail_name
        ),
    )
