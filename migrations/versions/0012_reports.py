"""Reports: each organisation's suppression threshold (the smallest count of people shown in its reports,
11 by default, CHECK 2..100) and coordinators' subscriptions to the monthly or quarterly report by mail
(one per organisation, user and frequency; CHECK on the frequency).

Revision ID: 0012_reports
Revises: 0011_resources
Create Date: 2026-12-07 02:14:26.654772

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0012_reports'
down_revision = "0011_resources"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_subscription',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("frequency IN ('monthly', 'quarterly')", name=op.f('ck_report_subscription_frequency_choice')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_report_subscription_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_report_subscription_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_subscription')),
    sa.UniqueConstraint('organisation_id', 'user_id', 'frequency', name=op.f('uq_report_subscription_organisation_id_user_id_frequency'))
    )
    with op.batch_alter_table('report_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_subscription_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_subscription_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_threshold', sa.SmallInteger(), server_default='11', nullable=False))
        batch_op.create_check_constraint(
            'report_threshold_range', 'report_threshold >= 2 AND report_threshold <= 100'
        )



def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisation_report_threshold_range'), type_='check')
        batch_op.drop_column('report_threshold')

    with op.batch_alter_table('report_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_subscription_user_id'))
        batch_op.drop_index(batch_op.f('ix_report_subscription_organisation_id'))

    op.drop_table('report_subscription')
