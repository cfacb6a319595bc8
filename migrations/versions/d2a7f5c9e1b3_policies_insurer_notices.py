"""policies: the insurers' notices (cancellation reason and when noticed, renewal not offered)

A notice of cancellation keeps its reason and the time it was given beside the cancellation date;
a notice of non-renewal sets `renewal` to 'not_offered'. All three columns are nullable and new.

Deploy: expand
It only adds nullable columns and checks that hold for every existing row; the older code ignores them.

Revision ID: d2a7f5c9e1b3
Revises: c5e8a1d3f7b2
Create Date: 2026-12-03 09:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

from accelerator.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'd2a7f5c9e1b3'
down_revision = 'c5e8a1d3f7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancellation_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cancellation_noticed_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('renewal', sa.String(length=16), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_policies_cancellation_reason'), 'cancellation_reason IS NULL OR cancellation_date IS NOT NULL')
        batch_op.create_check_constraint(op.f('ck_policies_renewal'), "renewal IS NULL OR renewal = 'not_offered'")


def downgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policies_renewal'), type_='check')
        batch_op.drop_constraint(op.f('ck_policies_cancellation_reason'), type_='check')
        batch_op.drop_column('renewal')
        batch_op.drop_column('cancellation_noticed_at')
        batch_op.drop_column('cancellation_reason')
