"""quote requests: withdrawn_at, the moment the seller withdrew a request

A withdrawn request is closed like a bought one (it takes no more quotes, the API shows it closed);
this column tells the two apart.

Deploy: expand

Revision ID: c7e3a91d5b24
Revises: ba617dce0188
Create Date: 2026-12-03 04:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

import accelerator.models.types

# revision identifiers, used by Alembic.
revision = 'c7e3a91d5b24'
down_revision = 'ba617dce0188'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quote_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', accelerator.models.types.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('quote_requests', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_at')
