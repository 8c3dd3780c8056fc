"""Starter formats a group copies and then makes its own.

Written in our own words. Readings are referenced by title and page (or chapter) only, never copied:
the chair reads them from the group's own books. Where the group's fellowship has well-known readings we
name them; otherwise the line says where to look.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class StarterSection:
    kind: str
    title: str
    body: str
    minutes: int | None
    led_by: str | None = None


# Reading references by fellowship. Keys are used in the starters' bodies as {name}.
READINGS = {
    "aa": {
        "preamble": _l("Read: the AA Preamble (printed in each issue of the Grapevine)."),
        "steps": _l("Read: How It Works, *Alcoholics Anonymous*, p. 58."),
        "traditions": _l("Read: the Twelve Traditions (short form), *Alcoholics Anonymous*, p. 564."),
        "closing_reading": _l("Read: the Promises, *Alcoholics Anonymous*, pp. 83–84."),
        "study_book": _l("*Twelve Steps and Twelve Traditions*, the chapter on this month's step"),
    },
    "na": {
        "preamble": _l("Read: Who Is an Addict? (*Narcotics Anonymous*, Basic Text, chapter 1)."),
        "steps": _l("Read: How It Works (*Narcotics Anonymous*, Basic Text, chapter 4)."),
        "traditions": _l("Read: the Twelve Traditions (*Narcotics Anonymous*, Basic Text)."),
        "closing_reading": _l("Read: Just for Today (*Narcotics Anonymous*, Basic Text, chapter 9)."),
        "study_book": _l("*It Works: How and Why*, the chapter on this month's step"),
    },
    "smart": {
        "preamble": _l("Read: the meeting's opening statement from your facilitator materials."),
        "steps": _l(
            "Name the four points: building and keeping motivation; coping with urges; managing thoughts, "
            "feelings and behaviours; living a balanced life."
        ),
        "traditions": _l("Remind everyone of the meeting's guidelines (from your facilitator materials)."),
        "closing_reading": _l("Ask each person for one thing they will try before the next meeting."),
        "study_book": _l("*SMART Recovery Handbook*, the tool chosen for this week"),
    },
}
GENERIC_READINGS = {
    "preamble": _l("Read: your fellowship's preamble (title and page from your group's literature)."),
    "steps": _l("Read: your fellowship's Steps (title and page from your group's literature)."),
    "traditions": _l("Read: your fellowship's Traditions (title and page from your group's literature)."),
    "closing_reading": _l("Read: your group's closing reading, if it has one."),
    "study_book": _l("your fellowship's study book, the chapter on this month's step"),
}

_WELCOME = _l(
    "Welcome. My name is ___, and I am your chair today.\n\n"
    "Please set phones to silent. Let's open with a moment of quiet for those still suffering, "
    "inside and outside these rooms."
)
_NEWCOMERS = _l(
    "Is anyone here for the first time, or new to this group? You are welcome; there is nothing you need to "
    "say or do. Stay after the meeting if you would like a phone list or someone to talk to."
)
_ANONYMITY = _l(
    "Who you see here and what you hear here stays here. Please don't name anyone you met today, and "
    "don't repeat what they shared."
)
_SEVENTH = _l(
    "We pay our own way: rent, literature, coffee. The basket goes round now, or use the online options "
    "in the meeting notes. Newcomers: please keep your money for now; you are our guest."
)
_ANNOUNCEMENTS = _l(
    "Service announcements only (events, service positions open, changes to this meeting). Keep it short."
)
_CLOSING = _l(
    "Thank you to everyone who shared, and to those who set up and will tidy up. Close in the way this "
    "group has agreed. Keep coming back."
)


def _s(kind, title, body, minutes, led_by=None) -> StarterSection:
    return StarterSection(kind, title, body, minutes, led_by)


def _common_opening(readings) -> list[StarterSection]:
    return [
        _s("opening", _l("Welcome and moment of quiet"), _WELCOME, 2, _l("Chair")),
        _s("reading", _l("Preamble"), readings["preamble"], 2, _l("Reader")),
        _s("reading", _l("How it works"), readings["steps"], 4, _l("Reader")),
        _s("announcement", _l("Newcomers and visitors"), _NEWCOMERS, 2, _l("Chair")),
        _s("announcement", _l("Anonymity"), _ANONYMITY, 1, _l("Chair")),
    ]


def _common_closing(readings) -> list[StarterSection]:
    return [
        _s("seventh_tradition", _l("7th Tradition"), _SEVENTH, 3, _l("Treasurer")),
        _s("announcement", _l("Announcements"), _ANNOUNCEMENTS, 3, _l("Secretary")),
        _s("reading", _l("Closing reading"), readings["closing_reading"], 2, _l("Reader")),
        _s("closing", _l("Close"), _CLOSING, 1, _l("Chair")),
    ]


def _open_discussion(readings) -> list[StarterSection]:
    return [
        *_common_opening(readings),
        _s(
            "share",
            _l("Topic and shares"),
            _l(
                "The chair offers a topic, or asks the room for one. Shares are up to **3 minutes**; "
                "please share about your own experience and don't answer someone else's share "
                "(no cross-talk).\n\n"
                "With ten minutes left, the chair invites anyone who has not shared yet, newcomers first."
            ),
            40,
            _l("Chair"),
        ),
        *_common_closing(readings),
    ]


def _speaker(readings) -> list[StarterSection]:
    return [
        *_common_opening(readings),
        _s(
            "speaker",
            _l("Speaker"),
            _l(
                "Introduce the speaker by first name only. The speaker shares what it was like, what "
                "happened and what it is like now, for about **20 minutes**."
            ),
            20,
            _l("Speaker"),
        ),
        _s(
            "share",
            _l("Shares on the speaker's message"),
            _l(
                "Open the floor: shares of up to **3 minutes**, on what the speaker said or what it brought "
                "up. No cross-talk."
            ),
            20,
            _l("Chair"),
        ),
        *_common_closing(readings),
    ]


def _step_study(readings) -> list[StarterSection]:
    return [
        *_common_opening(readings),
        _s(
            "reading",
            _l("Step reading"),
            _l(
                "Read, taking turns by paragraph: %(book)s. Anyone may pass.",
                book=readings["study_book"],
            ),
            12,
            _l("Reader"),
        ),
        _s(
            "share",
            _l("Shares on the step"),
            _l(
                "Shares of up to **3 minutes** on how this step works (or doesn't yet) in our lives. "
                "No cross-talk."
            ),
            28,
            _l("Chair"),
        ),
        *_common_closing(readings),
    ]


def _business(readings) -> list[StarterSection]:
    return [
        _s(
            "opening",
            _l("Opening"),
            _l(
                "Open with a moment of quiet. The chair reminds everyone that the "
                "group conscience decides, and every member has a voice."
            ),
            2,
            _l("Chair"),
        ),
        _s("reading", _l("Traditions"), readings["traditions"], 3, _l("Reader")),
        _s(
            "business",
            _l("Last meeting's notes"),
            _l("The secretary reads the short notes of the last business meeting. Corrections, then accept."),
            5,
            _l("Secretary"),
        ),
        _s(
            "business",
            _l("Treasurer's report"),
            _l(
                "Money in, money out, prudent reserve, and what we send on "
                "to the wider fellowship. Figures only, no names."
            ),
            5,
            _l("Treasurer"),
        ),
        _s(
            "business",
            _l("Service positions"),
            _l(
                "Which positions are open or ending soon? Nominations and "
                "elections, with the time each position asks for."
            ),
            10,
            _l("Secretary"),
        ),
        _s("business", _l("Old business"), _l("Items carried over from last time."), 10, _l("Chair")),
        _s(
            "business",
            _l("New business"),
            _l(
                "Items members have asked to add. Discuss, then take the group "
                "conscience (a show of hands; note the count, not the names)."
            ),
            15,
            _l("Chair"),
        ),
        _s(
            "closing",
            _l("Close"),
            _l("Set the date of the next business meeting, then close as the group has agreed."),
            2,
            _l("Chair"),
        ),
    ]


STARTERS = {
    "open": (
        _l("Open discussion"),
        _l("Topic chosen by the chair or the room, then shares."),
        _open_discussion,
    ),
    "speaker": (
        _l("Speaker meeting"),
        _l("One speaker shares their story, then the floor is open."),
        _speaker,
    ),
    "step": (_l("Step study"), _l("Reading and shares on one step at a time."), _step_study),
    "business": (
        _l("Business meeting"),
        _l("The group conscience: reports, service positions, decisions."),
        _business,
    ),
}


def starter_sections(key: str, fellowship: str) -> list[StarterSection]:
    readings = READINGS.get(fellowship, GENERIC_READINGS)
    return STARTERS[key][2](readings)


def starter_choices() -> list[tuple[str, str]]:
    return [(key, name) for key, (name, _description, _build) in STARTERS.items()]
