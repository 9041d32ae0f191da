"""Learning reviews and audits (issue 22): reviews, their numbered findings, the tracker's actions
raised from each, and an audit's results per criterion. New tables only: no existing row changes.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("la_code", sa.String(length=9), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("agency", sa.String(length=120), nullable=False),
        sa.Column("themes_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("signed_off_on", sa.Date(), nullable=True),
        sa.Column("signed_off_by", sa.String(length=120), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_review_la_code"), "review", ["la_code"], unique=False)
    op.create_table(
        "review_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "number"),
    )
    op.create_index(op.f("ix_review_finding_review_id"), "review_finding", ["review_id"], unique=False)
    op.create_table(
        "review_action",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.PrimaryKeyConstraint("action_id"),
    )
    op.create_index(op.f("ix_review_action_review_id"), "review_action", ["review_id"], unique=False)
    op.create_table(
        "audit_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=200), nullable=False),
        sa.Column("criterion_key", sa.String(length=200), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("review_id", "criterion_key"),
    )
    op.create_index(op.f("ix_audit_result_review_id"), "audit_result", ["review_id"], unique=False)
    op.create_index(op.f("ix_audit_result_criterion_key"), "audit_result", ["criterion_key"], unique=False)
