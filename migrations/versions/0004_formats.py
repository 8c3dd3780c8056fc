"""Formats: a group's meeting formats, their immutable versions and ordered sections, which format a
meeting uses from when, and a date's own format.

Revision ID: 0004_formats
Revises: 0003_meetings
Create Date: 2026-11-21 12:59:40.650277

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0004_formats'
down_revision = '0003_meetings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('format',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('next_section_key', sa.Integer(), nullable=False),
    sa.Column('archived_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_format_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_format_group_id_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_format')),
    sa.UniqueConstraint('group_id', 'name', name=op.f('uq_format_group_id_name'))
    )
    with op.batch_alter_table('format', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_format_group_id'), ['group_id'], unique=False)

    op.create_table('format_version',
    sa.Column('format_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('saved_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('edited_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(number IS NULL AND saved_at IS NULL) OR (number IS NOT NULL AND number >= 1 AND saved_at IS NOT NULL)', name=op.f('ck_format_version_saved_has_number')),
    sa.ForeignKeyConstraint(['edited_by_id'], ['user.id'], name=op.f('fk_format_version_edited_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['format_id'], ['format.id'], name=op.f('fk_format_version_format_id_format'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['user.id'], name=op.f('fk_format_version_saved_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_format_version')),
    sa.UniqueConstraint('format_id', 'number', name=op.f('uq_format_version_format_id_number'))
    )
    with op.batch_alter_table('format_version', schema=None) as batch_op:
        batch_op.create_index('uq_format_version_one_draft', ['format_id'], unique=True, sqlite_where=sa.text('number IS NULL'), postgresql_where=sa.text('number IS NULL'))

    op.create_table('meeting_format',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('format_id', sa.Integer(), nullable=True),
    sa.Column('since', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['format_id'], ['format.id'], name=op.f('fk_meeting_format_format_id_format'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_format_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['user.id'], name=op.f('fk_meeting_format_set_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_format')),
    sa.UniqueConstraint('meeting_id', 'since', name=op.f('uq_meeting_format_meeting_id_since'))
    )
    with op.batch_alter_table('meeting_format', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_format_format_id'), ['format_id'], unique=False)

    op.create_table('format_section',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('duration_minutes', sa.SmallInteger(), nullable=True),
    sa.Column('led_by', sa.String(length=60), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('opening', 'reading', 'share', 'speaker', 'announcement', 'seventh_tradition', 'business', 'closing', 'custom')", name=op.f('ck_format_section_kind_choice')),
    sa.CheckConstraint('duration_minutes IS NULL OR (duration_minutes >= 0 AND duration_minutes <= 240)', name=op.f('ck_format_section_duration_range')),
    sa.ForeignKeyConstraint(['version_id'], ['format_version.id'], name=op.f('fk_format_section_version_id_format_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_format_section')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_format_section_version_id_key'))
    )
    with op.batch_alter_table('format_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_format_section_version_id'), ['version_id'], unique=False)

    op.create_table('occurrence_format',
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('format_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('set_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['format_id'], ['format.id'], name=op.f('fk_occurrence_format_format_id_format'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_occurrence_format_occurrence_id_occurrence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['user.id'], name=op.f('fk_occurrence_format_set_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['format_version.id'], name=op.f('fk_occurrence_format_version_id_format_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occurrence_format')),
    sa.UniqueConstraint('occurrence_id', name=op.f('uq_occurrence_format_occurrence_id'))
    )
    with op.batch_alter_table('occurrence_format', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_occurrence_format_format_id'), ['format_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_occurrence_format_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('occurrence_format', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_occurrence_format_version_id'))
        batch_op.drop_index(batch_op.f('ix_occurrence_format_format_id'))

    op.drop_table('occurrence_format')
    with op.batch_alter_table('format_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_format_section_version_id'))

    op.drop_table('format_section')
    with op.batch_alter_table('meeting_format', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_format_format_id'))

    op.drop_table('meeting_format')
    with op.batch_alter_table('format_version', schema=None) as batch_op:
        batch_op.drop_index('uq_format_version_one_draft', sqlite_where=sa.text('number IS NULL'), postgresql_where=sa.text('number IS NULL'))

    op.drop_table('format_version')
    with op.batch_alter_table('format', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_format_group_id'))

    op.drop_table('format')
