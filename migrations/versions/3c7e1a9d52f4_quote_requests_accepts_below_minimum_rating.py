"""quote requests: whether the seller also wants offers from insurers rated below the minimum

Deploy: expand
The new column is NOT NULL with a server default, so the older code's inserts still work.

Revision ID: 3c7e1a9d52f4
Revises: c7e3a91d5b24
Create Date: 2026-12-03 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c7e1a9d52f4'
down_revision = 'c7e3a91d5b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quote_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepts_below_minimum_rating', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('quote_requests', schema=None) as batch_op:
        batch_op.drop_column('accepts_below_minimum_rating')
