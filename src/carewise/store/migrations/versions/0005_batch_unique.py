"""one current import batch per council and collection year, guaranteed by the database

Two imports of the same year at the same moment could each mark the other's batch superseded
before either committed, leaving two ``current`` batches (``Store.years()`` listed the year twice).
Any such pairs already stored keep only their newest batch current, then a partial unique index
makes a second current batch impossible.

Revision ID: 0005_batch_unique
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_batch_unique"
down_revision = "0003"
branch_labels = None
depends_on = None

CURRENT = sa.text("status = 'current'")


def upgrade() -> None:
    op.execute(
        """
        UPDATE import_batch SET status = 'superseded'
        WHERE status = 'current' AND id < (
            SELECT MAX(newer.id) FROM import_batch AS newer
            WHERE newer.council_id = import_batch.council_id AND newer.year = import_batch.year
              AND newer.status = 'current')
        """
    )
    op.create_index("uq_import_batch_current", "import_batch", ["council_id", "year"], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)


def downgrade() -> None:
    op.drop_index("uq_import_batch_current", table_name="import_batch")
