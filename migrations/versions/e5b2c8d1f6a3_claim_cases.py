"""claim cases and their history; webhook endpoints and events may belong to the marketplace

A webhook endpoint (and its events) with no insurer belongs to the marketplace.

Deploy: expand
It adds tables and lets webhook_endpoints/webhook_events.insurer_id be NULL, which the older code never writes.

Revision ID: e5b2c8d1f6a3
Revises: c3e7a91f04d2
Create Date: 2026-12-03 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import accelerator.models.types

# revision identifiers, used by Alembic.
revision = 'e5b2c8d1f6a3'
down_revision = 'c3e7a91f04d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('claim_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('seller_id', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('incident_date', sa.Date(), nullable=False),
    sa.Column('amount_claimed', accelerator.models.types.Money(precision=14, scale=2), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('order_id', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('opened_at', accelerator.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('check_id', sa.String(length=40), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('route', sa.String(length=16), nullable=False),
    sa.Column('insurer_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('escalation', sa.String(length=32), nullable=True),
    sa.Column('respond_by', accelerator.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_by', sa.String(length=16), nullable=True),
    sa.Column('stepped_in', sa.Boolean(), nullable=False),
    sa.Column('owed_by', sa.String(length=16), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('payment_payer', sa.String(length=16), nullable=True),
    sa.Column('payment_amount', accelerator.models.types.Money(precision=14, scale=2), nullable=True),
    sa.Column('paid_at', accelerator.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recovery_from', sa.String(length=16), nullable=True),
    sa.Column('recovery_due', accelerator.models.types.Money(precision=14, scale=2), nullable=True),
    sa.Column('recovery_recovered', accelerator.models.types.Money(precision=14, scale=2), nullable=True),
    sa.Column('updated_at', accelerator.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_claimed > 0', name=op.f('ck_claim_cases_amount_positive')),
    sa.CheckConstraint('recovery_recovered IS NULL OR recovery_recovered <= recovery_due',
                       name=op.f('ck_claim_cases_recovered_within_due')),
    sa.ForeignKeyConstraint(['insurer_id'], ['insurers.id'], name=op.f('fk_claim_cases_insurer_id_insurers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_cases')),
    sa.UniqueConstraint('case_id', name=op.f('uq_claim_cases_case_id'))
    )
    with op.batch_alter_table('claim_cases', schema=None) as batch_op:
        batch_op.create_index('ix_claim_cases_opened', ['opened_at', 'id'], unique=False)
        batch_op.create_index('ix_claim_cases_seller_opened', ['seller_id', 'opened_at'], unique=False)
        batch_op.create_index('ix_claim_cases_state', ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_claim_cases_insurer_id'), ['insurer_id'], unique=False)

    op.create_table('claim_case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_case_id', sa.Integer(), nullable=False),
    sa.Column('at', accelerator.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('by', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['claim_case_id'], ['claim_cases.id'],
                            name=op.f('fk_claim_case_events_claim_case_id_claim_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_case_events'))
    )
    with op.batch_alter_table('claim_case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_case_events_claim_case_id'), ['claim_case_id'], unique=False)

    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('insurer_id', existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.alter_column('insurer_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    # Marketplace endpoints and their events have no insurer to keep them under.
    op.execute("DELETE FROM webhook_attempts WHERE event_id IN "
               "(SELECT id FROM webhook_events WHERE insurer_id IS NULL)")
    op.execute("DELETE FROM webhook_events WHERE insurer_id IS NULL")
    op.execute("DELETE FROM webhook_events WHERE endpoint_id IN "
               "(SELECT id FROM webhook_endpoints WHERE insurer_id IS NULL)")
    op.execute("DELETE FROM webhook_endpoints WHERE insurer_id IS NULL")
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.alter_column('insurer_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.alter_column('insurer_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('claim_case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_case_events_claim_case_id'))
    op.drop_table('claim_case_events')
    with op.batch_alter_table('claim_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_cases_insurer_id'))
        batch_op.drop_index('ix_claim_cases_state')
        batch_op.drop_index('ix_claim_cases_seller_opened')
        batch_op.drop_index('ix_claim_cases_opened')
    op.drop_table('claim_cases')
