"""Social publishing: accounts (sealed tokens), posts, per-account targets, comments, media.

`social_schedule` is the publishing dispatcher's cross-tenant view of what is due: one row per
target that is scheduled or waiting for a check (due at `next_attempt_at`) or being published (due again at its lease end,
`claimed_until`, should the worker die). A trigger on `social_post_target` keeps it in step, so no
code path can forget it. Like `tenant_registry` it holds no content:
ids and times only; every session may read it, only the tenant's own session writes its rows
(row-level security with split policies). The dispatcher reads it to know which organisations have work, then claims
targets inside that organisation's RLS scope.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op
from crmapp.models.rls import TENANT, tenant_policy_sql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

JSON_OBJ = sa.text("'{}'::jsonb")
JSON_LIST = sa.text("'[]'::jsonb")


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _org() -> sa.Column:
    return sa.Column(
        "org_id", sa.Uuid(), sa.ForeignKey("organization.id", ondelete="CASCADE"), nullable=False
    )


def _user(name: str) -> sa.Column:
    return sa.Column(
        name, sa.Uuid(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.add_column(
        "organization",
        sa.Column("social_approvals", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "social_account",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _org(),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("remote_id", sa.String(200), nullable=False),
        sa.Column("handle", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("base_url", sa.String(300), nullable=False),
        sa.Column("sandbox", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        _user("owner_id"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_reason", sa.String(300), nullable=False),
        sa.Column("access_token_sealed", sa.Text(), nullable=False),
        sa.Column("refresh_token_sealed", sa.Text(), nullable=False),
        sa.Column("secret_extra_sealed", sa.Text(), nullable=False),
        _ts("token_expires_at"),
        sa.Column("refresh_failures", sa.Integer(), nullable=False),
        _ts("last_refreshed_at"),
        sa.Column("extra", postgresql.JSONB(), nullable=False, server_default=JSON_OBJ),
        _ts("created_at", False),
        _ts("updated_at", False),
        sa.UniqueConstraint("org_id", "network", "remote_id"),
        sa.CheckConstraint(
            "status IN ('active', 'needs_reconnect', 'disconnected')",
            name="ck_social_account_status",
        ),
    )
    op.create_index("ix_social_account_org_id", "social_account", ["org_id"])
    op.create_table(
        "social_post",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _org(),
        _user("author_id"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("overrides", postgresql.JSONB(), nullable=False, server_default=JSON_OBJ),
        sa.Column("media_ids", postgresql.JSONB(), nullable=False, server_default=JSON_LIST),
        sa.Column("link", sa.String(2000), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("deal_id", sa.Uuid(), sa.ForeignKey("deal.id", ondelete="SET NULL")),
        sa.Column("contact_id", sa.Uuid(), sa.ForeignKey("contact.id", ondelete="SET NULL")),
        sa.Column("campaign", sa.String(120), nullable=False),
        _ts("scheduled_at"),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("review_note", sa.String(1000), nullable=False),
        _ts("created_at", False),
        _ts("updated_at", False),
        _ts("deleted_at"),
    )
    op.create_index("ix_social_post_org_id", "social_post", ["org_id"])
    op.create_index("ix_social_post_scheduled_at", "social_post", ["org_id", "scheduled_at"])
    op.create_index("ix_social_post_deal_id", "social_post", ["deal_id"])
    op.create_table(
        "social_post_target",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _org(),
        sa.Column(
            "post_id",
            sa.Uuid(),
            sa.ForeignKey("social_post.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "account_id",
            sa.Uuid(),
            sa.ForeignKey("social_account.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(80), nullable=False, unique=True),
        sa.Column("remote_id", sa.String(300), nullable=False),
        sa.Column("remote_url", sa.String(500), nullable=False),
        sa.Column("part_ids", postgresql.JSONB(), nullable=False, server_default=JSON_LIST),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at"),
        _ts("claimed_until"),
        sa.Column("last_error", sa.String(1000), nullable=False),
        _ts("published_at"),
        _ts("updated_at", False),
        sa.UniqueConstraint("post_id", "account_id"),
        sa.CheckConstraint(
            "state IN ('draft', 'pending_review', 'approved', 'rejected', 'scheduled', "
            "'publishing', 'published', 'failed', 'unknown')",
            name="ck_social_post_target_state",
        ),
    )
    op.create_index("ix_social_post_target_org_id", "social_post_target", ["org_id"])
    op.create_index("ix_social_post_target_post_id", "social_post_target", ["post_id"])
    op.create_index("ix_social_post_target_due", "social_post_target", ["state", "next_attempt_at"])
    op.create_table(
        "social_post_comment",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _org(),
        sa.Column(
            "post_id",
            sa.Uuid(),
            sa.ForeignKey("social_post.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _user("author_id"),
        sa.Column("network", sa.String(20), nullable=False),
        sa.Column("body", sa.String(2000), nullable=False),
        _ts("created_at", False),
    )
    op.create_index("ix_social_post_comment_org_id", "social_post_comment", ["org_id"])
    op.create_index("ix_social_post_comment_post_id", "social_post_comment", ["post_id"])
    op.create_table(
        "media_asset",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _org(),
        sa.Column("storage_key", sa.String(300), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("alt", sa.String(1000), nullable=False),
        sa.Column("variants", postgresql.JSONB(), nullable=False, server_default=JSON_OBJ),
        _user("created_by"),
        _ts("created_at", False),
        _ts("deleted_at"),
    )
    op.create_index("ix_media_asset_org_id", "media_asset", ["org_id"])
    for table in (
        "social_account",
        "social_post",
        "social_post_target",
        "social_post_comment",
        "media_asset",
    ):
        for statement in tenant_policy_sql(table):
            op.execute(statement)

    op.create_table(
        "social_schedule",
        sa.Column(
            "target_id",
            sa.Uuid(),
            sa.ForeignKey("social_post_target.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        _ts("due_at", False),
    )
    op.create_index("ix_social_schedule_due_at", "social_schedule", ["due_at"])
    # Every session may read what is due (the dispatcher has no tenant); only the tenant's own
    # session (through the trigger) writes its rows.
    op.execute("ALTER TABLE social_schedule ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE social_schedule FORCE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY schedule_read ON social_schedule FOR SELECT USING (true)")
    for command in ("INSERT", "UPDATE", "DELETE"):
        check = "WITH CHECK" if command == "INSERT" else "USING"
        op.execute(
            f"CREATE POLICY schedule_{command.lower()} ON social_schedule FOR {command} "
            f"{check} (org_id = {TENANT})"
        )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION tandem_social_schedule() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE due timestamptz;
        BEGIN
            IF NEW.state IN ('scheduled', 'unknown') THEN
                due := NEW.next_attempt_at;
            ELSIF NEW.state = 'publishing' THEN
                due := NEW.claimed_until;
            END IF;
            IF due IS NULL THEN
                DELETE FROM social_schedule WHERE target_id = NEW.id;
            ELSE
                INSERT INTO social_schedule (target_id, org_id, due_at)
                VALUES (NEW.id, NEW.org_id, due)
                ON CONFLICT (target_id) DO UPDATE SET due_at = EXCLUDED.due_at;
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER tandem_social_schedule AFTER INSERT OR UPDATE OF state, next_attempt_at, "
        "claimed_until ON social_post_target FOR EACH ROW EXECUTE FUNCTION tandem_social_schedule()"
    )


def downgrade() -> None:
    op.drop_table("social_schedule")
    op.execute("DROP FUNCTION IF EXISTS tandem_social_schedule()")
    for table in (
        "media_asset",
        "social_post_comment",
        "social_post_target",
        "social_post",
        "social_account",
    ):
        op.drop_table(table)
    op.drop_column("organization", "social_approvals")
