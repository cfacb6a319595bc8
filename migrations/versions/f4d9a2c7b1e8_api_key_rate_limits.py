"""api keys with rate limits: api_keys.rate_limit and one window row per limited key

Deploy: expand

Revision ID: f4d9a2c7b1e8
Revises: e5b2c8d1f6a3
Create Date: 2026-12-03 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f4d9a2c7b1e8'
down_revision = 'e5b2c8d1f6a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rate_limit', sa.Integer(), nullable=True))

    op.create_table('api_key_windows',
    sa.Column('api_key_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_api_key_windows_api_key_id_api_keys')),
    sa.PrimaryKeyConstraint('api_key_id', name=op.f('pk_api_key_windows'))
    )


def downgrade():
    op.drop_table('api_key_windows')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('rate_limit')
