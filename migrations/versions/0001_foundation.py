"""Foundation: accounts, organisations, groups, roles, invitations, login throttle, audit log.

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-21 12:44:41.431589

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.database


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('blocked_until', groupadmin.database.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    op.create_table('organisation',
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('website_url', sa.String(length=255), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisation_slug'))
    )
    op.create_table('user',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_site_admin', sa.Boolean(), nullable=False),
    sa.Column('session_nonce', sa.String(length=32), nullable=False),
    sa.Column('password_changed_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('last_login_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    op.create_table('group',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('fellowship', sa.String(length=20), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('mail_naming', sa.String(length=20), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("fellowship IN ('aa', 'na', 'ca', 'smart', 'al-anon', 'other')", name=op.f('ck_group_fellowship_choice')),
    sa.CheckConstraint("mail_naming IN ('group', 'fellowship')", name=op.f('ck_group_mail_naming_choice')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_group_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group')),
    sa.UniqueConstraint('slug', name=op.f('uq_group_slug'))
    )
    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('org_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('coordinator', 'admin')", name=op.f('ck_org_role_role_choice')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_org_role_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_org_role_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_role')),
    sa.UniqueConstraint('user_id', 'organisation_id', 'role', name=op.f('uq_org_role_user_id_organisation_id_role'))
    )
    with op.batch_alter_table('org_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_role_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_role_user_id'), ['user_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_audit_event_actor_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_audit_event_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_audit_event_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_group_created', ['group_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('invitation',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('secretary', 'leader', 'sponsor', 'coordinator', 'admin')", name=op.f('ck_invitation_role_choice')),
    sa.CheckConstraint('(group_id IS NULL) <> (organisation_id IS NULL)', name=op.f('ck_invitation_one_scope')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_invitation_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_invitation_invited_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_invitation_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('membership',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('secretary', 'leader', 'sponsor')", name=op.f('ck_membership_role_choice')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_membership_group_id_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_membership_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('user_id', 'group_id', 'role', name=op.f('uq_membership_user_id_group_id_role'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_group_id'))

    op.drop_table('membership')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_group_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_organisation_id'))
        batch_op.drop_index('ix_audit_event_group_created')

    op.drop_table('audit_event')
    with op.batch_alter_table('org_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_role_user_id'))
        batch_op.drop_index(batch_op.f('ix_org_role_organisation_id'))

    op.drop_table('org_role')
    with op.batch_alter_table('group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_organisation_id'))

    op.drop_table('group')
    op.drop_table('user')
    op.drop_table('organisation')
    op.drop_table('login_throttle')
