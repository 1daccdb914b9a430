"""placements markets as import batches in the store (were parquet folders outside it)

Revision ID: 0004_market
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_market"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "market_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("loaded", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"],
                                name=op.f("fk_market_batch_council_id_council")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_batch")),
        sa.UniqueConstraint("council_id", "version", name=op.f("uq_market_batch_council_id")),
    )
    op.create_table(
        "market_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("extract", sa.String(length=40), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["market_batch.id"],
                                name=op.f("fk_market_row_batch_id_market_batch")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_row")),
    )
    with op.batch_alter_table("market_row", schema=None) as batch_op:
        batch_op.create_index("ix_market_row_batch_extract", ["batch_id", "extract"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("market_row", schema=None) as batch_op:
        batch_op.drop_index("ix_market_row_batch_extract")
    op.drop_table("market_row")
    op.drop_table("market_batch")
