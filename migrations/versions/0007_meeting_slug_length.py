"""Meeting slugs up to 255 characters: an imported feed's slug is kept exactly as written (finder apps key
favourites on it), and real feeds have slugs longer than the spec's 64. Downgrading shortens none: it
fails if a longer slug exists.

Revision ID: 0007_meeting_slug_length
Revises: 0006_attendance
Create Date: 2026-12-07 00:31:49.578111

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_meeting_slug_length"
down_revision = "0006_attendance"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.alter_column(
            "slug", existing_type=sa.String(length=64), type_=sa.String(length=255), existing_nullable=False
        )


def downgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.alter_column(
            "slug", existing_type=sa.String(length=255), type_=sa.String(length=64), existing_nullable=False
        )
