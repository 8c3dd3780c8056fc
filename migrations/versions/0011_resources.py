"""The community resources directory: entries of an organisation or of one of its groups (kind from a
fixed list and links only http(s): CHECKs; last checked when and by whom, the user set to NULL when the
account goes), and each organisation's re-check setting (30 to 730 days, one row per organisation).

Revision ID: 0011_resources
Revises: 0010_newsletters
Create Date: 2026-12-07 02:11:27.450523

"""

import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = "0011_resources"
down_revision = "0010_newsletters"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "resource_settings",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("recheck_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "recheck_days BETWEEN 30 AND 730", name=op.f("ck_resource_settings_recheck_days_range")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_resource_settings_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_settings")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_resource_settings_organisation_id")),
    )
    op.create_table(
        "resource",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("hours", sa.String(length=200), nullable=True),
        sa.Column("is_24_7", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.String(length=120), nullable=True),
        sa.Column("cost", sa.String(length=120), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("checked_at", groupadmin.database.UTCDateTime(), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", groupadmin.database.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('crisis_line', 'detox_treatment', 'medication_assisted', 'peer_recovery', 'housing', 'legal_aid', 'employment', 'family_groups')",
            name=op.f("ck_resource_kind_choice"),
        ),
        sa.CheckConstraint(
            "url IS NULL OR substr(url, 1, 7) = 'http://' OR substr(url, 1, 8) = 'https://'",
            name=op.f("ck_resource_url_http"),
        ),
        sa.ForeignKeyConstraint(
            ["checked_by_id"], ["user.id"], name=op.f("fk_resource_checked_by_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["group.id"], name=op.f("fk_resource_group_id_group"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_resource_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource")),
    )
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_resource_organisation_id"), ["organisation_id"], unique=False)


def downgrade():
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_resource_group_id"))

    op.drop_table("resource")
    op.drop_table("resource_settings")
