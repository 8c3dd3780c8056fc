"""Meetings by appointment (the spec's meetings without a day or time): a fourth schedule kind,
"appointment", with no weekday, date or start time (so no dates and no calendar events). `recurrence`
widened to 12 characters, `start_time` nullable (required by a CHECK for the other kinds). Downgrading
fails if a meeting by appointment exists (archive or change it first).

Revision ID: 0009_meeting_by_appointment
Revises: 0008_form_submission
Create Date: 2026-12-07 01:08:31.623628

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_meeting_by_appointment"
down_revision = "0008_form_submission"
branch_labels = None
depends_on = None

OLD_FIELDS = (
    "(recurrence = 'weekly' AND weekday IS NOT NULL)"
    " OR (recurrence = 'monthly' AND weekday IS NOT NULL AND month_week IS NOT NULL)"
    " OR (recurrence = 'once' AND on_date IS NOT NULL)"
)
NEW_FIELDS = OLD_FIELDS + " OR (recurrence = 'appointment' AND weekday IS NULL AND on_date IS NULL)"


def upgrade():
    with op.batch_alter_table("meeting_schedule", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_meeting_schedule_recurrence_choice"), type_="check")
        batch_op.drop_constraint(op.f("ck_meeting_schedule_recurrence_fields"), type_="check")
        batch_op.alter_column(
            "recurrence",
            existing_type=sa.String(length=10),
            type_=sa.String(length=12),
            existing_nullable=False,
        )
        batch_op.alter_column("start_time", existing_type=sa.Time(), nullable=True)
        batch_op.create_check_constraint(
            op.f("ck_meeting_schedule_recurrence_choice"),
            "recurrence IN ('weekly', 'monthly', 'once', 'appointment')",
        )
        batch_op.create_check_constraint(op.f("ck_meeting_schedule_recurrence_fields"), NEW_FIELDS)
        batch_op.create_check_constraint(
            op.f("ck_meeting_schedule_start_time_given"),
            "recurrence = 'appointment' OR start_time IS NOT NULL",
        )


def downgrade():
    with op.batch_alter_table("meeting_schedule", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_meeting_schedule_start_time_given"), type_="check")
        batch_op.drop_constraint(op.f("ck_meeting_schedule_recurrence_fields"), type_="check")
        batch_op.drop_constraint(op.f("ck_meeting_schedule_recurrence_choice"), type_="check")
        batch_op.alter_column("start_time", existing_type=sa.Time(), nullable=False)
        batch_op.alter_column(
            "recurrence",
            existing_type=sa.String(length=12),
            type_=sa.String(length=10),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(
            op.f("ck_meeting_schedule_recurrence_choice"), "recurrence IN ('weekly', 'monthly', 'once')"
        )
        batch_op.create_check_constraint(op.f("ck_meeting_schedule_recurrence_fields"), OLD_FIELDS)
