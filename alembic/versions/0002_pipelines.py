"""Pipelines with ordered stages; deals move between stage rows instead of a stage string.

Every organisation gets a default pipeline (Lead → Qualified → Proposal → Negotiation → Won / Lost)
and its deals are mapped onto it by stage name. The data step runs tenant by tenant with
`app.tenant_id` set, so it works when the migrating role is subject to the forced policies.
Both new tables get the tenant policy.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import sqlmodel

from alembic import op
from crmapp.models.rls import tenant_policy_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DEFAULT_STAGES = (
    ("Lead", "open", 10),
    ("Qualified", "open", 25),
    ("Proposal", "open", 50),
    ("Negotiation", "open", 75),
    ("Won", "won", 100),
    ("Lost", "lost", 0),
)


def upgrade() -> None:
    op.create_table(
        "pipeline",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_pipeline_org_id"), "pipeline", ["org_id"], unique=False)
    op.create_table(
        "pipeline_stage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pipeline_id"], ["pipeline.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint("kind IN ('open', 'won', 'lost')", name="ck_pipeline_stage_kind"),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name="ck_pipeline_stage_probability"),
    )
    op.create_index(op.f("ix_pipeline_stage_org_id"), "pipeline_stage", ["org_id"])
    op.create_index(op.f("ix_pipeline_stage_pipeline_id"), "pipeline_stage", ["pipeline_id"])
    for table in ("pipeline", "pipeline_stage"):
        for stmt in tenant_policy_sql(table):
            op.execute(stmt)

    op.add_column("deal", sa.Column("pipeline_id", sa.Uuid(), nullable=True))
    op.add_column("deal", sa.Column("stage_id", sa.Uuid(), nullable=True))
    op.add_column("deal", sa.Column("expected_close_date", sa.Date(), nullable=True))
    op.add_column("deal", sa.Column("probability", sa.Integer(), nullable=True))
    op.add_column(
        "deal",
        sa.Column(
            "lost_reason",
            sqlmodel.sql.sqltypes.AutoString(length=500),
            nullable=False,
            server_default="",
        ),
    )
    op.add_column("deal", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("deal", sa.Column("closed_by", sa.Uuid(), nullable=True))

    _backfill_pipelines()

    op.alter_column("deal", "pipeline_id", nullable=False)
    op.alter_column("deal", "stage_id", nullable=False)
    op.alter_column("deal", "lost_reason", server_default=None)
    op.create_index(op.f("ix_deal_pipeline_id"), "deal", ["pipeline_id"])
    op.create_index(op.f("ix_deal_stage_id"), "deal", ["stage_id"])
    op.create_foreign_key(
        "fk_deal_closed_by", "deal", "app_user", ["closed_by"], ["id"], ondelete="SET NULL"
    )
    op.create_foreign_key(
        "fk_deal_pipeline", "deal", "pipeline", ["pipeline_id"], ["id"], ondelete="RESTRICT"
    )
    op.create_foreign_key(
        "fk_deal_stage", "deal", "pipeline_stage", ["stage_id"], ["id"], ondelete="RESTRICT"
    )
    op.drop_column("deal", "stage")


def _backfill_pipelines() -> None:
    conn = op.get_bind()
    org_ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM organization")).fetchall()]
    for org_id in org_ids:
        conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(org_id)})
        pipeline_id = uuid.uuid4()
        conn.execute(
            sa.text(
                "INSERT INTO pipeline (id, org_id, name, is_default, created_at) "
                "VALUES (:id, :org, 'Sales pipeline', true, now())"
            ),
            {"id": pipeline_id, "org": org_id},
        )
        for position, (name, kind, probability) in enumerate(DEFAULT_STAGES):
            stage_id = uuid.uuid4()
            conn.execute(
                sa.text(
                    "INSERT INTO pipeline_stage "
                    "(id, org_id, pipeline_id, name, position, kind, probability) "
                    "VALUES (:id, :org, :pipeline, :name, :position, :kind, :probability)"
                ),
                {
                    "id": stage_id,
                    "org": org_id,
                    "pipeline": pipeline_id,
                    "name": name,
                    "position": position,
                    "kind": kind,
                    "probability": probability,
                },
            )
            conn.execute(
                sa.text(
                    "UPDATE deal SET pipeline_id = :pipeline, stage_id = :stage "
                    "WHERE org_id = :org AND lower(stage) = lower(:name)"
                ),
                {"pipeline": pipeline_id, "stage": stage_id, "org": org_id, "name": name},
            )
        # Anything unrecognised starts at the first stage rather than being lost.
        conn.execute(
            sa.text(
                "UPDATE deal SET pipeline_id = :pipeline, stage_id = "
                "(SELECT id FROM pipeline_stage WHERE pipeline_id = :pipeline AND position = 0) "
                "WHERE org_id = :org AND stage_id IS NULL"
            ),
            {"pipeline": pipeline_id, "org": org_id},
        )
    conn.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))


def downgrade() -> None:
    op.add_column(
        "deal",
        sa.Column("stage", sa.VARCHAR(length=32), nullable=False, server_default="lead"),
    )
    op.execute(
        "UPDATE deal SET stage = lower(s.name) FROM pipeline_stage s WHERE s.id = deal.stage_id"
    )
    op.drop_constraint("fk_deal_stage", "deal", type_="foreignkey")
    op.drop_constraint("fk_deal_pipeline", "deal", type_="foreignkey")
    op.drop_constraint("fk_deal_closed_by", "deal", type_="foreignkey")
    op.drop_index(op.f("ix_deal_stage_id"), table_name="deal")
    op.drop_index(op.f("ix_deal_pipeline_id"), table_name="deal")
    for column in (
        "closed_by",
        "closed_at",
        "lost_reason",
        "probability",
        "expected_close_date",
        "stage_id",
        "pipeline_id",
    ):
        op.drop_column("deal", column)
    op.drop_table("pipeline_stage")
    op.drop_table("pipeline")
