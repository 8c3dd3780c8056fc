"""Head counts: one anonymous count per occurrence (total, newcomers, in the room and online, the 7th
Tradition in cash and digital, in minor units of a currency kept with the count, a short note; who
recorded it and when), with CHECK constraints for its invariants; a group's head-count settings
(currency, morning-after reminders).

Revision ID: 0006_attendance
Revises: 0005_rota
Create Date: 2026-11-21 13:21:38.700089

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0006_attendance'
down_revision = '0005_rota'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_settings',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('updated_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_attendance_settings_currency_code')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_attendance_settings_group_id_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', name=op.f('pk_attendance_settings'))
    )
    op.create_table('head_count',
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('newcomers', sa.Integer(), nullable=True),
    sa.Column('in_person', sa.Integer(), nullable=True),
    sa.Column('online', sa.Integer(), nullable=True),
    sa.Column('cash_minor', sa.Integer(), nullable=True),
    sa.Column('digital_minor', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('recorded_via', sa.String(length=10), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("recorded_via IN ('account', 'link')", name=op.f('ck_head_count_recorded_via_choice')),
    sa.CheckConstraint('(total IS NULL AND newcomers IS NULL AND in_person IS NULL AND online IS NULL) OR (total IS NOT NULL AND newcomers IS NOT NULL AND in_person IS NOT NULL AND online IS NOT NULL)', name=op.f('ck_head_count_counted_together')),
    sa.CheckConstraint('cash_minor IS NULL OR (cash_minor >= 0 AND cash_minor <= 2000000000)', name=op.f('ck_head_count_cash_range')),
    sa.CheckConstraint('digital_minor IS NULL OR (digital_minor >= 0 AND digital_minor <= 2000000000)', name=op.f('ck_head_count_digital_range')),
    sa.CheckConstraint('in_person + online = total', name=op.f('ck_head_count_split_adds_up')),
    sa.CheckConstraint('in_person >= 0 AND online >= 0', name=op.f('ck_head_count_split_non_negative')),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_head_count_currency_code')),
    sa.CheckConstraint('newcomers >= 0 AND newcomers <= total', name=op.f('ck_head_count_newcomers_within_total')),
    sa.CheckConstraint('total >= 0 AND total <= 100000', name=op.f('ck_head_count_total_range')),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_head_count_occurrence_id_occurrence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_head_count_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_head_count_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_head_count')),
    sa.UniqueConstraint('occurrence_id', name=op.f('uq_head_count_occurrence_id'))
    )


def downgrade():
    op.drop_table('head_count')
    op.drop_table('attendance_settings')
