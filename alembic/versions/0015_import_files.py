"""Uploaded CSV files live on disk until their import completes, no longer in `import_job`: the job
keeps the file's encoding, and its header row (for the rejected-rows download) in `mapping`.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _headers(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig", errors="replace").replace("\x00", "␀")
    return next(csv.reader(io.StringIO(text, newline="")), [])


def upgrade() -> None:
    op.add_column(
        "import_job",
        sa.Column(
            "encoding",
            sqlmodel.sql.sqltypes.AutoString(length=16),
            nullable=False,
            server_default="utf-8",
        ),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, content, mapping FROM import_job")).all()
    for job_id, content, mapping in rows:
        mapping = {**(mapping or {}), "headers": _headers(bytes(content or b""))}
        bind.execute(
            sa.text("UPDATE import_job SET mapping = CAST(:mapping AS jsonb) WHERE id = :id"),
            {"mapping": json.dumps(mapping), "id": job_id},
        )
    op.drop_column("import_job", "content")


def downgrade() -> None:
    op.add_column(
        "import_job",
        sa.Column("content", sa.LargeBinary(), nullable=False, server_default=sa.text("''::bytea")),
    )
    op.drop_column("import_job", "encoding")
