"""claim cases: indexes for a state's newest page (state, opened_at, id) and for due deadlines (state, respond_by)

Listing a state's cases newest first read every case of that state and sorted them (93,000 of 100,000
for `paid`); with the opening in the index, a page reads only its own rows. Every list first looks for
cases whose deadline has passed: by state alone that read every case waiting for an answer (2,400 of
100,000); with the deadline in the index it reads only the overdue ones.

Deploy: expand
It replaces an index with two that serve the same queries; the older code reads the same rows.

Revision ID: b8c1e4f7a2d9
Revises: b7e4c1a9d2f6
Create Date: 2026-12-03 07:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8c1e4f7a2d9'
down_revision = 'b7e4c1a9d2f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('claim_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_cases_state')
        batch_op.create_index('ix_claim_cases_state_opened', ['state', 'opened_at', 'id'], unique=False)
        batch_op.create_index('ix_claim_cases_state_due', ['state', 'respond_by'], unique=False)


def downgrade():
    with op.batch_alter_table('claim_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_cases_state_due')
        batch_op.drop_index('ix_claim_cases_state_opened')
        batch_op.create_index('ix_claim_cases_state', ['state'], unique=False)
