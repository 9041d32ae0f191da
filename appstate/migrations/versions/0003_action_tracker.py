"""The action tracker (issue 22): actions from any source, the KPIs each is linked to, and their
progress updates.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source_kind", sa.String(length=40), nullable=False),
        sa.Column("source_ref", sa.String(length=300), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("lead", sa.String(length=120), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("success_measure", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_action_la_code"), "action", ["la_code"], unique=False)
    op.create_index(op.f("ix_action_agency"), "action", ["agency"], unique=False)
    op.create_table(
        "action_kpi",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("kpi_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"]),
        sa.PrimaryKeyConstraint("action_id", "kpi_id"),
    )
    op.create_index(op.f("ix_action_kpi_kpi_id"), "action_kpi", ["kpi_id"], unique=False)
    op.create_table(
        "action_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_action_update_action_id"), "action_update", ["action_id"], unique=False)
