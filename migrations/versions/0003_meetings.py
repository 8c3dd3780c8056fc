"""Meetings: meetings, their schedules over time (a change takes effect from a date), dated occurrences.

Revision ID: 0003_meetings
Revises: 0002_mail
Create Date: 2026-11-21 12:55:16.972004

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0003_meetings'
down_revision = '0002_mail'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('attendance', sa.String(length=20), nullable=False),
    sa.Column('location', sa.String(length=255), nullable=True),
    sa.Column('formatted_address', sa.String(length=500), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('state', sa.String(length=120), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=80), nullable=True),
    sa.Column('region', sa.String(length=120), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('location_notes', sa.Text(), nullable=True),
    sa.Column('conference_url', sa.String(length=500), nullable=True),
    sa.Column('conference_url_notes', sa.Text(), nullable=True),
    sa.Column('conference_phone', sa.String(length=60), nullable=True),
    sa.Column('conference_phone_notes', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('private_notes', sa.Text(), nullable=True),
    sa.Column('types', sa.JSON(), nullable=False),
    sa.Column('venmo', sa.String(length=100), nullable=True),
    sa.Column('square', sa.String(length=100), nullable=True),
    sa.Column('paypal', sa.String(length=100), nullable=True),
    sa.Column('homegroup_online', sa.String(length=100), nullable=True),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("attendance IN ('in_person', 'online', 'hybrid')", name=op.f('ck_meeting_attendance_choice')),
    sa.CheckConstraint("status IN ('active', 'paused', 'archived')", name=op.f('ck_meeting_status_choice')),
    sa.CheckConstraint('latitude IS NULL OR (latitude >= -90 AND latitude <= 90)', name=op.f('ck_meeting_latitude_range')),
    sa.CheckConstraint('longitude IS NULL OR (longitude >= -180 AND longitude <= 180)', name=op.f('ck_meeting_longitude_range')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_meeting_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_meeting_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('organisation_id', 'slug', name=op.f('uq_meeting_organisation_id_slug'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_meeting_organisation_status', ['organisation_id', 'status', 'listed'], unique=False)

    op.create_table('meeting_schedule',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('recurrence', sa.String(length=10), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=True),
    sa.Column('month_week', sa.SmallInteger(), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=True),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('duration_minutes', sa.SmallInteger(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("(recurrence = 'weekly' AND weekday IS NOT NULL) OR (recurrence = 'monthly' AND weekday IS NOT NULL AND month_week IS NOT NULL) OR (recurrence = 'once' AND on_date IS NOT NULL)", name=op.f('ck_meeting_schedule_recurrence_fields')),
    sa.CheckConstraint("recurrence IN ('weekly', 'monthly', 'once')", name=op.f('ck_meeting_schedule_recurrence_choice')),
    sa.CheckConstraint('duration_minutes >= 5 AND duration_minutes <= 720', name=op.f('ck_meeting_schedule_duration_range')),
    sa.CheckConstraint('month_week IS NULL OR month_week IN (1, 2, 3, 4, -1)', name=op.f('ck_meeting_schedule_month_week_choice')),
    sa.CheckConstraint('weekday IS NULL OR (weekday >= 0 AND weekday <= 6)', name=op.f('ck_meeting_schedule_weekday_range')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_schedule_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_schedule')),
    sa.UniqueConstraint('meeting_id', 'effective_from', name=op.f('uq_meeting_schedule_meeting_id_effective_from'))
    )
    with op.batch_alter_table('meeting_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_schedule_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('occurrence',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('starts_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('ends_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('online_only', sa.Boolean(), nullable=False),
    sa.Column('venue_location', sa.String(length=255), nullable=True),
    sa.Column('venue_address', sa.String(length=500), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled', 'paused')", name=op.f('ck_occurrence_status_choice')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_occurrence_ends_after_start')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_occurrence_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrence')),
    sa.UniqueConstraint('meeting_id', 'local_date', name=op.f('uq_occurrence_meeting_id_local_date'))
    )
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.create_index('ix_occurrence_starts_at', ['starts_at'], unique=False)



def downgrade():
    with op.batch_alter_table('occurrence', schema=None) as batch_op:
        batch_op.drop_index('ix_occurrence_starts_at')

    op.drop_table('occurrence')
    with op.batch_alter_table('meeting_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_schedule_meeting_id'))

    op.drop_table('meeting_schedule')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_organisation_status')
        batch_op.drop_index(batch_op.f('ix_meeting_group_id'))

    op.drop_table('meeting')
