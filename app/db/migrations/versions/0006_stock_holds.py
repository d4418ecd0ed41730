"""Stock held for orders gets a ledger of its own: every hold, give-back and dispatch of
held stock is a row, and a bin's reserved quantity is their sum.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

import app.db.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stock_holds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('reference', sa.String(length=120), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('created_at', app.db.models.UTCDateTime(), nullable=False),
        sa.CheckConstraint('quantity <> 0', name=op.f('ck_stock_holds_quantity_not_zero')),
        sa.ForeignKeyConstraint(['location_id'], ['locations.id'],
                                name=op.f('fk_stock_holds_location_id_locations')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                                name=op.f('fk_stock_holds_product_id_products')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_holds')),
    )
    op.create_index('ix_stock_holds_product_location', 'stock_holds',
                    ['product_id', 'location_id'], unique=False)
    # What open orders already hold becomes the ledger's opening balance.
    op.execute(
        "INSERT INTO stock_holds (product_id, location_id, quantity, reason, reference, "
        "actor, created_at) SELECT product_id, location_id, reserved, 'hold', "
        "'held before the ledger of holds', 'Backroom', CURRENT_TIMESTAMP "
        "FROM stock_levels WHERE reserved <> 0")


def downgrade() -> None:
    op.drop_index('ix_stock_holds_product_location', table_name='stock_holds')
    op.drop_table('stock_holds')
