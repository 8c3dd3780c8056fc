"""Mail outbox, undeliverable addresses, mail alerts, scheduler lease.

Revision ID: 0002_mail
Revises: 0001_foundation
Create Date: 2026-11-21 12:48:58.768632

"""
import sqlalchemy as sa
from alembic import op

import groupadmin.crypto  # noqa: F401  (column types used by autogenerate)
import groupadmin.database  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0002_mail'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_alert',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('cleared_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_alert'))
    )
    op.create_table('scheduler_lease',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('acquired_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('expires_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_lease'))
    )
    op.create_table('outbox_message',
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('template', sa.String(length=100), nullable=False),
    sa.Column('recipient', groupadmin.crypto.EncryptedString(), nullable=True),
    sa.Column('recipient_hash', sa.String(length=64), nullable=True),
    sa.Column('subject', groupadmin.crypto.EncryptedString(), nullable=True),
    sa.Column('text_body', groupadmin.crypto.EncryptedString(), nullable=True),
    sa.Column('html_body', groupadmin.crypto.EncryptedString(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_expires_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('sent_at', groupadmin.database.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_message_status_choice')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_outbox_message_group_id_group'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_message_idempotency_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_recipient_hash'), ['recipient_hash'], unique=False)
        batch_op.create_index(
            'ix_outbox_message_unpurged', ['created_at'], unique=False,
            sqlite_where=sa.text('recipient_hash IS NOT NULL'),
            postgresql_where=sa.text('recipient_hash IS NOT NULL'),
        )

    op.create_table('undeliverable_address',
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('address', groupadmin.crypto.EncryptedString(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', groupadmin.database.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('refused', 'stopped')", name=op.f('ck_undeliverable_address_kind_choice')),
    sa.ForeignKeyConstraint(['group_id'], ['group.id'], name=op.f('fk_undeliverable_address_group_id_group'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_undeliverable_address')),
    sa.UniqueConstraint('address_hash', name=op.f('uq_undeliverable_address_address_hash'))
    )
    with op.batch_alter_table('undeliverable_address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_undeliverable_address_group_id'), ['group_id'], unique=False)



def downgrade():
    with op.batch_alter_table('undeliverable_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_undeliverable_address_group_id'))

    op.drop_table('undeliverable_address')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_unpurged')
        batch_op.drop_index(batch_op.f('ix_outbox_message_recipient_hash'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_group_id'))
        batch_op.drop_index('ix_outbox_message_due')

    op.drop_table('outbox_message')
    op.drop_table('scheduler_lease')
    op.drop_table('mail_alert')
