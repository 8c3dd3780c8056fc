"""Every domain's models, imported in one place so that Alembic and relationships see them all."""

from groupadmin.attendance.models import AttendanceSettings, HeadCount  # noqa: F401
from groupadmin.audit.models import AuditEvent  # noqa: F401
from groupadmin.auth.models import Invitation, LoginThrottle, User  # noqa: F401
from groupadmin.formats.models import Format, FormatSection, FormatVersion, MeetingFormat, OccurrenceFormat  # noqa: F401
from groupadmin.groups.models import Group, Membership, Organisation, OrgRole  # noqa: F401
from groupadmin.mail.models import MailAlert, OutboxMessage, UndeliverableAddress  # noqa: F401
from groupadmin.meetings.models import Meeting, MeetingSchedule, Occurrence  # noqa: F401
from groupadmin.newsletters.models import (  # noqa: F401
    MailingList,
    MeetingReminder,
    NewsletterIssue,
    ReminderSent,
    SignupThrottle,
    Subscriber,
    Subscription,
)
from groupadmin.once import FormSubmission  # noqa: F401
from groupadmin.outreach.models import DoNotContact, FollowUp, Newcomer, OutreachSettings  # noqa: F401
from groupadmin.reports.models import ReportSubscription  # noqa: F401
from groupadmin.resources.models import Resource, ResourceSettings  # noqa: F401
from groupadmin.rota.models import Assignment, Blackout, RotaPerson, RotaSettings, ServiceRole  # noqa: F401
from groupadmin.scheduler.models import SchedulerLease  # noqa: F401
