"""certificates as issued: the named insured, address and issue date frozen on a certificate row

A certificate shown before this migration had no row: it was drawn from the seller's profile each time,
dated the day it was shown. Every policy whose certificate was shown (it has a verification token) gets
its certificate number 1, stating the seller's name and state as they are now and dated the day of this
migration, and keeps its verification link: the token moves from the policy to that certificate.

Deploy: contract
Written before the expand/contract rule: it expands (certificates) and contracts (drops
policies.certificate_token, which the code before it reads) at once, so that code had to stop before
it ran. Under the rule it would have been two migrations, a release apart.

Revision ID: c3e7a91f04d2
Revises: 3c7e1a9d52f4
Create Date: 2026-12-03 04:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

import accelerator.models.types
from accelerator import clock

# revision identifiers, used by Alembic.
revision = 'c3e7a91f04d2'
down_revision = '3c7e1a9d52f4'
branch_labels = None
depends_on = None

_policies = sa.table(
    'policies',
    sa.column('id', sa.Integer()),
    sa.column('seller_id', sa.String()),
    sa.column('certificate_token', sa.String()),
)
_sellers = sa.table(
    'sellers',
    sa.column('seller_id', sa.String()),
    sa.column('legal_name', sa.String()),
    sa.column('state', sa.String()),
)
_certificates = sa.table(
    'certificates',
    sa.column('policy_id', sa.Integer()),
    sa.column('number', sa.Integer()),
    sa.column('issued_on', sa.Date()),
    sa.column('insured_name', sa.String()),
    sa.column('insured_state', sa.String()),
    sa.column('verification_token', sa.String()),
    sa.column('created_at', accelerator.models.types.UTCDateTime(timezone=True)),
)


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('insured_name', sa.String(length=200), nullable=False),
    sa.Column('insured_state', sa.String(length=2), nullable=True),
    sa.Column('verification_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', accelerator.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_certificates_number_positive')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_certificates_policy_id_policies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('policy_id', 'number', name='uq_certificates_policy_number'),
    sa.UniqueConstraint('verification_token', name=op.f('uq_certificates_verification_token'))
    )

    conn = op.get_bind()
    shown = conn.execute(
        sa.select(_policies.c.id, _policies.c.certificate_token, _sellers.c.seller_id, _sellers.c.legal_name,
                  _sellers.c.state)
        .join(_sellers, _sellers.c.seller_id == _policies.c.seller_id)
        .where(_policies.c.certificate_token.is_not(None))
        .order_by(_policies.c.id)
    ).all()
    if shown:
        today, now = clock.today(), clock.now()
        conn.execute(_certificates.insert(), [
            {"policy_id": row.id, "number": 1, "issued_on": today, "insured_name": row.legal_name or row.seller_id,
             "insured_state": row.state, "verification_token": row.certificate_token, "created_at": now}
            for row in shown])

    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_policies_certificate_token'), type_='unique')
        batch_op.drop_column('certificate_token')


def downgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_policies_certificate_token'), ['certificate_token'])

    # A policy keeps the link of its first certificate; the later ones are lost with the table.
    conn = op.get_bind()
    first = conn.execute(
        sa.select(_certificates.c.policy_id, _certificates.c.verification_token)
        .where(_certificates.c.number == 1)
    ).all()
    for policy_id, token in first:
        conn.execute(_policies.update().where(_policies.c.id == policy_id).values(certificate_token=token))

    op.drop_table('certificates')
