"""Stock room: a product's own selling price, when a purchase order was sent, what a stock
check covers and which of its differences the owner approved.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

import app.db.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_minor', sa.BigInteger(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('price_currency', sa.String(length=3), nullable=False,
                                      server_default='GBP'))
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', app.db.models.UTCDateTime(), nullable=True))
    with op.batch_alter_table('stock_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.JSON(), nullable=False,
                                      server_default='{}'))
    with op.batch_alter_table('stock_check_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stock_check_lines', schema=None) as batch_op:
        batch_op.drop_column('approved')
    with op.batch_alter_table('stock_checks', schema=None) as batch_op:
        batch_op.drop_column('scope')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_column('sent_at')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_column('price_currency')
        batch_op.drop_column('price_minor')
