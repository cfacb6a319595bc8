"""certificate reads: what was read from each certificate a seller uploads (fields, evidence, signals, requirement)

One row per uploaded policy, written with the policy when the seller's PDF is stored; uploads made before
this migration have none, and the admin's verification page says so.

Deploy: expand
A new table only: the code before it neither reads nor writes it.

Revision ID: c5e8a1d3f7b2
Revises: d4a7c2e9f1b3
Create Date: 2026-12-03 09:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

import accelerator.models.types

# revision identifiers, used by Alembic.
revision = 'c5e8a1d3f7b2'
down_revision = 'd4a7c2e9f1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('upload_key', sa.String(length=300), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('requirement', sa.JSON(), nullable=False),
    sa.Column('read_at', accelerator.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_certificate_reads_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_reads')),
    sa.UniqueConstraint('policy_id', name=op.f('uq_certificate_reads_policy_id')),
    sa.UniqueConstraint('upload_key', name=op.f('uq_certificate_reads_upload_key'))
    )


def downgrade():
    op.drop_table('certificate_reads')
