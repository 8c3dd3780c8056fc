"""Meetings: the weekly (or monthly, or one-off) schedule, every dated occurrence, the public feeds
(Meeting Guide JSON, iCalendar) and the import from the tools groups leave behind."""
