"""Newsletters: mailing lists (a group's or an organisation's, exactly one: a CHECK), subscribers (email
encrypted with a keyed hash beside it, optional first name, language), subscriptions with their state
and consent record (CHECKs on the string choices), issues (Markdown body, state, schedule, sending
cursor), the sign-up throttle counts, and meeting reminders (a subscriber's reminder of one
meeting, its consent, and one row per date reminded).

Revision ID: 0010_newsletters
Revises: 0009_meeting_by_appointment
Create Date: 2026-12-07 00:55:28.189987

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0010_newsletters'
down_revision = '0009_meeting_by_appointment'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('news_signup_throttle',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_start', groupadmin.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_news_signup_throttle'))
    )
    op.create_table('news_subscriber',
    sa.Column('email', groupadmin.crypto.EncryptedString(), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('first_name', groupadmin.crypto.EncryptedString(), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_subscriber')),
    sa.UniqueConstraint('email_hash', name=op.f('uq_news_subscriber_email_hash'))
    )
    op.create_table('mailing_list',
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('sender_name', sa.String(length=120), nullable=True),
    sa.Column('consent_wording', sa.String(length=500), nullable=False),
    sa.Column('consent_version', sa.Integer(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("visibility IN ('public', 'private')", name=op.f('ck_mailing_list_visibility_choice')),
    sa.CheckConstraint('(group_id IS NULL) <> (organisation_id IS NULL)', name=op.f('ck_mailing_list_one_owner')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_mailing_list_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_mailing_list_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing_list')),
    sa.UniqueConstraint('slug', name=op.f('uq_mailing_list_slug'))
    )
    with op.batch_alter_table('mailing_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_list_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailing_list_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('news_issue',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('scheduled_local', sa.DateTime(), nullable=True),
    sa.Column('send_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('started_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('sent_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('enqueued', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled', 'held')", name=op.f('ck_news_issue_state_choice')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_news_issue_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], name=op.f('fk_news_issue_list_id_mailing_list'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_issue'))
    )
    with op.batch_alter_table('news_issue', schema=None) as batch_op:
        batch_op.create_index('ix_news_issue_due', ['state', 'send_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_issue_list_id'), ['list_id'], unique=False)

    op.create_table('news_reminder',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('timing', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('consent_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('consent_wording', sa.String(length=500), nullable=False),
    sa.Column('requested_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('unsubscribed_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('unconfirmed', 'confirmed', 'unsubscribed')", name=op.f('ck_news_reminder_status_choice')),
    sa.CheckConstraint("timing IN ('evening', 'two_hours')", name=op.f('ck_news_reminder_timing_choice')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_news_reminder_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['news_subscriber.id'], name=op.f('fk_news_reminder_subscriber_id_news_subscriber'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_reminder')),
    sa.UniqueConstraint('meeting_id', 'subscriber_id', name=op.f('uq_news_reminder_meeting_id_subscriber_id'))
    )
    with op.batch_alter_table('news_reminder', schema=None) as batch_op:
        batch_op.create_index('ix_news_reminder_due', ['status', 'meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_reminder_subscriber_id'), ['subscriber_id'], unique=False)

    op.create_table('news_subscription',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('subscriber_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('consent_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('consent_source', sa.String(length=10), nullable=False),
    sa.Column('consent_wording', sa.String(length=500), nullable=False),
    sa.Column('consent_version', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('unsubscribed_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('bounced_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('bounce_reason', sa.String(length=300), nullable=True),
    sa.Column('soft_bounces', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("consent_source IN ('form', 'import', 'hand')", name=op.f('ck_news_subscription_consent_source_choice')),
    sa.CheckConstraint("status IN ('unconfirmed', 'confirmed', 'unsubscribed', 'bounced')", name=op.f('ck_news_subscription_status_choice')),
    sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], name=op.f('fk_news_subscription_list_id_mailing_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_news_subscription_recorded_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['news_subscriber.id'], name=op.f('fk_news_subscription_subscriber_id_news_subscriber'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_subscription')),
    sa.UniqueConstraint('list_id', 'subscriber_id', name=op.f('uq_news_subscription_list_id_subscriber_id'))
    )
    with op.batch_alter_table('news_subscription', schema=None) as batch_op:
        batch_op.create_index('ix_news_subscription_sending', ['list_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_news_subscription_subscriber_id'), ['subscriber_id'], unique=False)

    op.create_table('news_reminder_sent',
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('told_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_news_reminder_sent_occurrence_id_occurrence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reminder_id'], ['news_reminder.id'], name=op.f('fk_news_reminder_sent_reminder_id_news_reminder'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reminder_id', 'occurrence_id', name=op.f('pk_news_reminder_sent'))
    )
    with op.batch_alter_table('news_reminder_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_reminder_sent_occurrence_id'), ['occurrence_id'], unique=False)



def downgrade():
    with op.batch_alter_table('news_reminder_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_reminder_sent_occurrence_id'))

    op.drop_table('news_reminder_sent')
    with op.batch_alter_table('news_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_subscription_subscriber_id'))
        batch_op.drop_index('ix_news_subscription_sending')

    op.drop_table('news_subscription')
    with op.batch_alter_table('news_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_reminder_subscriber_id'))
        batch_op.drop_index('ix_news_reminder_due')

    op.drop_table('news_reminder')
    with op.batch_alter_table('news_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_issue_list_id'))
        batch_op.drop_index('ix_news_issue_due')

    op.drop_table('news_issue')
    with op.batch_alter_table('mailing_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_list_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_mailing_list_group_id'))

    op.drop_table('mailing_list')
    op.drop_table('news_subscriber')
    op.drop_table('news_signup_throttle')
