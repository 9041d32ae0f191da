"""Sessions revoked on the server, sign-in limits shared by every worker, saved views shared with a
role in a partnership (issue 16).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_generation",
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "sign_in_address",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address"),
    )
    op.create_table(
        "saved_view_audience",
        sa.Column("view_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("la_codes", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(["view_id"], ["saved_view.id"]),
        sa.PrimaryKeyConstraint("view_id"),
    )
