"""Every domain's models, imported in one place so that Alembic and relationships see them all."""

from groupadmin.audit.models import AuditEvent  # noqa: F401
from groupadmin.auth.models import Invitation, LoginThrottle, User  # noqa: F401
from groupadmin.groups.models import Group, Membership, Organisation, OrgRole  # noqa: F401
