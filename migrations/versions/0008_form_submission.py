"""One-time tokens of create forms: the same form sent twice (a double click, the back button)
creates one thing. A token is kept two days.

Revision ID: 0008_form_submission
Revises: 0007_meeting_slug_length
Create Date: 2026-12-07 01:14:31

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.database

# revision identifiers, used by Alembic.
revision = "0008_form_submission"
down_revision = "0007_meeting_slug_length"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_submission",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", groupadmin.database.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submission")),
    )
    with op.batch_alter_table("form_submission", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_submission_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("form_submission", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_submission_created_at"))
    op.drop_table("form_submission")
