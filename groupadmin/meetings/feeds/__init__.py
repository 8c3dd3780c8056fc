"""The public feeds: the Meeting Guide JSON feed (`meeting_guide`) and iCalendar (`calendar`).

Both read plain rows (no ORM objects) in a fixed number of queries whatever the number of meetings,
and both have a cheap version (one aggregate query, `common`) for ETag/Last-Modified, so a 304 costs
little. Nothing here publishes private notes, unlisted meetings, paused or archived ones, or personal data.
"""

from groupadmin.meetings.feeds.calendar import ics
from groupadmin.meetings.feeds.common import FeedVersion, feed_version
from groupadmin.meetings.feeds.meeting_guide import meeting_guide

__all__ = ["FeedVersion", "feed_version", "ics", "meeting_guide"]
