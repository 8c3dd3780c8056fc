"""Newcomer outreach: newcomers (name, phone, email, safe times encrypted; keyed hashes of phone and
email beside them; the consent record; source, group, volunteer, status, the month of the request and
days to the first attempt for the figures, last activity and erase-after date), their follow-ups (due
dates, outcome codes as a CHECK, encrypted note), each group's or organisation's settings (plan,
retention, consent wording and version), the organisation's do-not-contact list (keyed hashes only),
and the organisation role ``outreach`` (the org_role CHECK gains it).

Revision ID: 0013_outreach
Revises: 0012_reports
Create Date: 2026-12-07 02:14:24.679536

"""

import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = "0013_outreach"
down_revision = "0012_reports"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outreach_do_not_contact",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", groupadmin.database.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_outreach_do_not_contact_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_do_not_contact")),
        sa.UniqueConstraint(
            "organisation_id",
            "value_hash",
            name=op.f("uq_outreach_do_not_contact_organisation_id_value_hash"),
        ),
    )
    op.create_table(
        "newcomer",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("name", groupadmin.crypto.EncryptedString(), nullable=True),
        sa.Column("phone", groupadmin.crypto.EncryptedString(), nullable=True),
        sa.Column("email", groupadmin.crypto.EncryptedString(), nullable=True),
        sa.Column("safe_times", groupadmin.crypto.EncryptedString(), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("email_hash", sa.String(length=64), nullable=True),
        sa.Column("channels", sa.String(length=30), nullable=False),
        sa.Column("voicemail_ok", sa.Boolean(), nullable=False),
        sa.Column("may_name_group", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("wants_welcome", sa.Boolean(), nullable=False),
        sa.Column("consent_wording", sa.String(length=500), nullable=False),
        sa.Column("consent_version", sa.Integer(), nullable=False),
        sa.Column("consent_at", groupadmin.database.UTCDateTime(), nullable=False),
        sa.Column("consent_via", sa.String(length=10), nullable=False),
        sa.Column("consent_by_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", groupadmin.database.UTCDateTime(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("first_attempt_days", sa.Integer(), nullable=True),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("assigned_at", groupadmin.database.UTCDateTime(), nullable=True),
        sa.Column("asked_again_at", groupadmin.database.UTCDateTime(), nullable=True),
        sa.Column("last_activity_at", groupadmin.database.UTCDateTime(), nullable=False),
        sa.Column("erase_after", sa.Date(), nullable=False),
        sa.Column("erased_at", groupadmin.database.UTCDateTime(), nullable=True),
        sa.Column("closed_at", groupadmin.database.UTCDateTime(), nullable=True),
        sa.Column("welcome_sent_at", groupadmin.database.UTCDateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "consent_via IN ('web_form', 'in_person')", name=op.f("ck_newcomer_consent_via_choice")
        ),
        sa.CheckConstraint(
            "source IN ('group_page', 'org_page', 'in_person')", name=op.f("ck_newcomer_source_choice")
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_newcomer_status_choice")),
        sa.ForeignKeyConstraint(
            ["consent_by_id"], ["user.id"], name=op.f("fk_newcomer_consent_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["group.id"], name=op.f("fk_newcomer_group_id_group"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_newcomer_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["user.id"], name=op.f("fk_newcomer_volunteer_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newcomer")),
    )
    with op.batch_alter_table("newcomer", schema=None) as batch_op:
        batch_op.create_index("ix_newcomer_email_hash", ["organisation_id", "email_hash"], unique=False)
        batch_op.create_index("ix_newcomer_erase_after", ["erase_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_newcomer_group_id"), ["group_id"], unique=False)
        batch_op.create_index("ix_newcomer_org_status", ["organisation_id", "status"], unique=False)
        batch_op.create_index("ix_newcomer_phone_hash", ["organisation_id", "phone_hash"], unique=False)
        batch_op.create_index("ix_newcomer_volunteer_status", ["volunteer_id", "status"], unique=False)

    op.create_table(
        "outreach_settings",
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("plan", sa.String(length=60), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("consent_wording", sa.String(length=500), nullable=False),
        sa.Column("consent_version", sa.Integer(), nullable=False),
        sa.Column("updated_at", groupadmin.database.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(group_id IS NULL) <> (organisation_id IS NULL)", name=op.f("ck_outreach_settings_one_owner")
        ),
        sa.CheckConstraint(
            "retention_days >= 7 AND retention_days <= 730", name=op.f("ck_outreach_settings_retention_range")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["group.id"], name=op.f("fk_outreach_settings_group_id_group"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_outreach_settings_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_settings")),
        sa.UniqueConstraint("group_id", name=op.f("uq_outreach_settings_group_id")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_outreach_settings_organisation_id")),
    )
    op.create_table(
        "follow_up",
        sa.Column("newcomer_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("note", groupadmin.crypto.EncryptedString(), nullable=True),
        sa.Column("done_at", groupadmin.database.UTCDateTime(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('reached', 'left_message', 'no_answer', 'wrong_number', 'declined', 'do_not_contact')",
            name=op.f("ck_follow_up_outcome_choice"),
        ),
        sa.CheckConstraint("state IN ('open', 'done', 'closed')", name=op.f("ck_follow_up_state_choice")),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["user.id"], name=op.f("fk_follow_up_done_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["newcomer_id"],
            ["newcomer.id"],
            name=op.f("fk_follow_up_newcomer_id_newcomer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("newcomer_id", "step", name=op.f("uq_follow_up_newcomer_id_step")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index("ix_follow_up_state_due", ["state", "due_on"], unique=False)

    with op.batch_alter_table("org_role", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_org_role_role_choice"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_org_role_role_choice"), "role IN ('coordinator', 'admin', 'outreach')"
        )


def downgrade():
    op.execute("DELETE FROM org_role WHERE role = 'outreach'")
    with op.batch_alter_table("org_role", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_org_role_role_choice"), type_="check")
        batch_op.create_check_constraint(op.f("ck_org_role_role_choice"), "role IN ('coordinator', 'admin')")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_state_due")

    op.drop_table("follow_up")
    op.drop_table("outreach_settings")
    with op.batch_alter_table("newcomer", schema=None) as batch_op:
        batch_op.drop_index("ix_newcomer_volunteer_status")
        batch_op.drop_index("ix_newcomer_phone_hash")
        batch_op.drop_index("ix_newcomer_org_status")
        batch_op.drop_index(batch_op.f("ix_newcomer_group_id"))
        batch_op.drop_index("ix_newcomer_erase_after")
        batch_op.drop_index("ix_newcomer_email_hash")

    op.drop_table("newcomer")
    op.drop_table("outreach_do_not_contact")
