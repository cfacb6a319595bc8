"""confirmations: an uploaded policy whose insurer is on the Accelerator is put to that insurer

One row per uploaded policy (unique), pending until the insurer confirms or denies it, or withdrawn when
the marketplace decided the policy first. Uploads made before this migration are not put to insurers:
the marketplace's admins decide them as before.

Deploy: expand
It only adds a table; the code before it never reads it.

Revision ID: d4a7c2e9f1b3
Revises: b8c1e4f7a2d9
Create Date: 2026-12-03 10:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import accelerator.models.types

# revision identifiers, used by Alembic.
revision = 'd4a7c2e9f1b3'
down_revision = 'b8c1e4f7a2d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('insurer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', accelerator.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', accelerator.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=254), nullable=True),
    sa.Column('answered_by_user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'denied', 'withdrawn')",
                       name=op.f('ck_confirmations_status')),
    sa.CheckConstraint("(status = 'pending') = (answered_at IS NULL)",
                       name=op.f('ck_confirmations_answered_when_not_pending')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_confirmations_policy_id_policies')),
    sa.ForeignKeyConstraint(['insurer_id'], ['insurers.id'], name=op.f('fk_confirmations_insurer_id_insurers')),
    sa.ForeignKeyConstraint(['answered_by_user_id'], ['users.id'],
                            name=op.f('fk_confirmations_answered_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confirmations')),
    sa.UniqueConstraint('policy_id', name=op.f('uq_confirmations_policy_id'))
    )
    with op.batch_alter_table('confirmations', schema=None) as batch_op:
        batch_op.create_index('ix_confirmations_insurer_status', ['insurer_id', 'status', 'requested_at'],
                              unique=False)
        batch_op.create_index('ix_confirmations_status_requested', ['status', 'requested_at'], unique=False)


def downgrade():
    with op.batch_alter_table('confirmations', schema=None) as batch_op:
        batch_op.drop_index('ix_confirmations_status_requested')
        batch_op.drop_index('ix_confirmations_insurer_status')
    op.drop_table('confirmations')
