"""Rota: service roles (which meetings need them, reminders), rota people (contact details encrypted,
consent recorded), blackouts, assignments (proposed / confirmed / declined, swap offers), settings.

Revision ID: 0005_rota
Revises: 0004_formats
Create Date: 2026-11-21 13:04:52.677909

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0005_rota'
down_revision = '0004_formats'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rota_person',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=60), nullable=True),
    sa.Column('email', groupadmin.crypto.EncryptedString(), nullable=True),
    sa.Column('email_hash', sa.String(length=64), nullable=True),
    sa.Column('phone', groupadmin.crypto.EncryptedString(), nullable=True),
    sa.Column('consent_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('consent_by_id', sa.Integer(), nullable=True),
    sa.Column('consent_wording', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('calendar_nonce', sa.String(length=32), nullable=True),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('last_active_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('contact_forgotten_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('removed_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consent_by_id'], ['user.id'], name=op.f('fk_rota_person_consent_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_rota_person_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_rota_person_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_person')),
    sa.UniqueConstraint('group_id', 'email_hash', name=op.f('uq_rota_person_group_id_email_hash'))
    )
    with op.batch_alter_table('rota_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_person_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_person_user_id'), ['user_id'], unique=False)

    op.create_table('rota_settings',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('min_gap_days', sa.SmallInteger(), nullable=False),
    sa.Column('weekly_summary', sa.Boolean(), nullable=False),
    sa.Column('calendar_nonce', sa.String(length=32), nullable=True),
    sa.CheckConstraint('min_gap_days >= 0 AND min_gap_days <= 120', name=op.f('ck_rota_settings_min_gap_range')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_rota_settings_group_id_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', name=op.f('pk_rota_settings'))
    )
    op.create_table('service_role',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('per_occurrence', sa.SmallInteger(), nullable=False),
    sa.Column('applies_to', sa.String(length=10), nullable=False),
    sa.Column('remind_days', sa.JSON(), nullable=False),
    sa.Column('remind_at', sa.Time(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("applies_to IN ('all', 'online', 'in_person', 'chosen')", name=op.f('ck_service_role_applies_to_choice')),
    sa.CheckConstraint("kind IN ('chair', 'speaker', 'tech_host', 'greeter', 'literature', 'seventh_tradition', 'coffee', 'other')", name=op.f('ck_service_role_kind_choice')),
    sa.CheckConstraint('per_occurrence >= 1 AND per_occurrence <= 10', name=op.f('ck_service_role_per_occurrence_range')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_service_role_group_id_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_role')),
    sa.UniqueConstraint('group_id', 'name', name=op.f('uq_service_role_group_id_name'))
    )
    with op.batch_alter_table('service_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_role_group_id'), ['group_id'], unique=False)

    op.create_table('rota_blackout',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_rota_blackout_ends_after_start')),
    sa.ForeignKeyConstraint(['person_id'], ['rota_person.id'], name=op.f('fk_rota_blackout_person_id_rota_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_blackout'))
    )
    with op.batch_alter_table('rota_blackout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_blackout_person_id'), ['person_id'], unique=False)

    op.create_table('rota_person_role',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['rota_person.id'], name=op.f('fk_rota_person_role_person_id_rota_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['service_role.id'], name=op.f('fk_rota_person_role_role_id_service_role'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'role_id', name=op.f('pk_rota_person_role'))
    )
    with op.batch_alter_table('rota_person_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rota_person_role_role_id'), ['role_id'], unique=False)

    op.create_table('service_role_meeting',
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_service_role_meeting_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['service_role.id'], name=op.f('fk_service_role_meeting_role_id_service_role'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('role_id', 'meeting_id', name=op.f('pk_service_role_meeting'))
    )
    with op.batch_alter_table('service_role_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_role_meeting_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('rota_assignment',
    sa.Column('occurrence_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('swap_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('responded_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('confirmed_via', sa.String(length=10), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("confirmed_via IS NULL OR confirmed_via IN ('link', 'hand', 'swap')", name=op.f('ck_rota_assignment_confirmed_via_choice')),
    sa.CheckConstraint("status IN ('proposed', 'confirmed', 'declined', 'offered', 'swapped', 'released', 'withdrawn')", name=op.f('ck_rota_assignment_status_choice')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_rota_assignment_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrence.id'], name=op.f('fk_rota_assignment_occurrence_id_occurrence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['rota_person.id'], name=op.f('fk_rota_assignment_person_id_rota_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['service_role.id'], name=op.f('fk_rota_assignment_role_id_service_role'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['swap_from_id'], ['rota_assignment.id'], name=op.f('fk_rota_assignment_swap_from_id_rota_assignment'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rota_assignment'))
    )
    with op.batch_alter_table('rota_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_rota_assignment_occurrence_role', ['occurrence_id', 'role_id'], unique=False)
        batch_op.create_index('ix_rota_assignment_person_status', ['person_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rota_assignment_swap_from_id'), ['swap_from_id'], unique=False)
        batch_op.create_index('uq_rota_assignment_active', ['occurrence_id', 'role_id', 'person_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'confirmed', 'offered')"), postgresql_where=sa.text("status IN ('proposed', 'confirmed', 'offered')"))



def downgrade():
    with op.batch_alter_table('rota_assignment', schema=None) as batch_op:
        batch_op.drop_index('uq_rota_assignment_active', sqlite_where=sa.text("status IN ('proposed', 'confirmed', 'offered')"), postgresql_where=sa.text("status IN ('proposed', 'confirmed', 'offered')"))
        batch_op.drop_index(batch_op.f('ix_rota_assignment_swap_from_id'))
        batch_op.drop_index('ix_rota_assignment_person_status')
        batch_op.drop_index('ix_rota_assignment_occurrence_role')

    op.drop_table('rota_assignment')
    with op.batch_alter_table('service_role_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_role_meeting_meeting_id'))

    op.drop_table('service_role_meeting')
    with op.batch_alter_table('rota_person_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_person_role_role_id'))

    op.drop_table('rota_person_role')
    with op.batch_alter_table('rota_blackout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_blackout_person_id'))

    op.drop_table('rota_blackout')
    with op.batch_alter_table('service_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_role_group_id'))

    op.drop_table('service_role')
    op.drop_table('rota_settings')
    with op.batch_alter_table('rota_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rota_person_user_id'))
        batch_op.drop_index(batch_op.f('ix_rota_person_group_id'))

    op.drop_table('rota_person')
