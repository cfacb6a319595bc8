"""claim case evidence: files a party adds to a case (stored privately, like policy uploads)

Deploy: expand
It adds a table the older code never reads.

Revision ID: a8c4e2f19d37
Revises: f4d9a2c7b1e8
Create Date: 2026-12-03 07:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import accelerator.models.types

# revision identifiers, used by Alembic.
revision = 'a8c4e2f19d37'
down_revision = 'f4d9a2c7b1e8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('claim_case_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_case_id', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('added_at', accelerator.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.CheckConstraint("added_by IN ('seller', 'insurer', 'marketplace')",
                       name=op.f('ck_claim_case_evidence_added_by_party')),
    sa.CheckConstraint('size > 0', name=op.f('ck_claim_case_evidence_size_positive')),
    sa.ForeignKeyConstraint(['claim_case_id'], ['claim_cases.id'],
                            name=op.f('fk_claim_case_evidence_claim_case_id_claim_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_case_evidence')),
    sa.UniqueConstraint('claim_case_id', 'sha256', name='uq_claim_case_evidence_case_sha256'),
    sa.UniqueConstraint('stored_name', name=op.f('uq_claim_case_evidence_stored_name'))
    )
    with op.batch_alter_table('claim_case_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_case_evidence_claim_case_id'), ['claim_case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('claim_case_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_case_evidence_claim_case_id'))
    op.drop_table('claim_case_evidence')
