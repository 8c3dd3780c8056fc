"""Report speed: monthly roll-ups per group, month and currency of the count (the sums a report reads, no
personal data; CHECK on the currency, one row per group, month and currency), the stale group-months
(marked by triggers on head_count, rota_assignment, occurrence and meeting in the same transaction as a change to a
rolled-up month: `groupadmin.reports.triggers`, the same statements `create_all` runs) and the roll-ups'
state (one row: every month before `rolled_until` is rolled up). The `report-rollups` job fills them;
until then reports read the raw data as before.

Revision ID: 0014_report_speed
Revises: 0013_outreach
Create Date: 2026-12-07 02:58:00.536081

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401
from groupadmin.reports import triggers


# revision identifiers, used by Alembic.
revision = "0014_report_speed"
down_revision = "0013_outreach"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_rollup_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rolled_until', sa.Date(), nullable=True),
    sa.Column('refreshed_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_report_rollup_state_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollup_state'))
    )
    op.create_table('report_stale',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_stale'))
    )
    with op.batch_alter_table('report_stale', schema=None) as batch_op:
        batch_op.create_index('ix_report_stale_group_month', ['group_id', 'month'], unique=False)
    op.create_table('report_month',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('newcomers', sa.BigInteger(), nullable=False),
    sa.Column('in_person', sa.BigInteger(), nullable=False),
    sa.Column('online', sa.BigInteger(), nullable=False),
    sa.Column('collected_dates', sa.Integer(), nullable=False),
    sa.Column('collected_minor', sa.BigInteger(), nullable=False),
    sa.Column('rota', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("currency = '' OR length(currency) = 3", name=op.f('ck_report_month_currency_code')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_report_month_group_id_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_month')),
    sa.UniqueConstraint('group_id', 'month', 'currency', name=op.f('uq_report_month_group_id_month_currency'))
    )
    with op.batch_alter_table('report_month', schema=None) as batch_op:
        batch_op.create_index('ix_report_month_month_group', ['month', 'group_id'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in triggers.statements(dialect):
        op.execute(statement)


def downgrade():
    for statement in triggers.drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table('report_month', schema=None) as batch_op:
        batch_op.drop_index('ix_report_month_month_group')

    op.drop_table('report_month')
    with op.batch_alter_table('report_stale', schema=None) as batch_op:
        batch_op.drop_index('ix_report_stale_group_month')

    op.drop_table('report_stale')
    op.drop_table('report_rollup_state')
