"""903 rows keep the XML line they start on, so reports on stored returns point into the file

Revision ID: 0009_source_line
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_source_line"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("header", "episodes", "reviews", "uasc", "oc2", "oc3", "ad1", "placed_for_adoption",
          "previous_permanence", "missing", "social_worker_episodes", "dolo")
"""The 903 tables stored as r903_<name> (carewise.returns.tables.TABLES when this was written)."""


def upgrade() -> None:
    for name in TABLES:
        op.add_column(f"r903_{name}", sa.Column("source_line", sa.Integer(), nullable=True))


def downgrade() -> None:
    for name in TABLES:
        op.drop_column(f"r903_{name}", "source_line")
