"""outbox request ids: email_messages.request_id and webhook_events.request_id (the request that caused them)

Deploy: expand
It adds nullable columns the older code never writes.

Revision ID: b7e4c1a9d2f6
Revises: a8c4e2f19d37
Create Date: 2026-12-03 07:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4c1a9d2f6'
down_revision = 'a8c4e2f19d37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=128), nullable=True))
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_column('request_id')
    with op.batch_alter_table('email_messages', schema=None) as batch_op:
        batch_op.drop_column('request_id')
