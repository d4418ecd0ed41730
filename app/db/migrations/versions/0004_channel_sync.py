"""Channel sync: an order remembers what the channel last said of it, a line how much stock
it holds (and the channel's id for it), and products whose stock must be told to the channels wait in a queue.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

import app.db.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OPEN = ('new', 'on_hold', 'purchasing', 'ready_to_pick', 'picking', 'packed')


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_hash', sa.String(length=40), nullable=True))
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('external_id', sa.String(length=120), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=300), nullable=False,
                                      server_default=''))
    op.create_table(
        'stock_push_queue',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('queued_at', app.db.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'],
                                name=op.f('fk_stock_push_queue_product_id_products'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_stock_push_queue')),
    )
    # Open orders already hold their stocked lines' quantity (the levels count it).
    op.execute(
        "UPDATE order_lines SET reserved = quantity WHERE product_id IS NOT NULL "
        "AND NOT needs_making AND order_id IN (SELECT id FROM orders WHERE status IN "
        f"({', '.join(repr(s) for s in OPEN)}))")


def downgrade() -> None:
    op.drop_table('stock_push_queue')
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_column('source')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('external_id')
        batch_op.drop_column('reserved')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('source_hash')
