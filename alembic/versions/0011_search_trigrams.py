"""Typo-tolerant, indexed global search on contacts, companies and deals.

pg_trgm and fuzzystrmatch are not in the embedded PostgreSQL build, so typo tolerance is built from
our own functions. `tandem_typo_keys(text)` returns the distinct lower-case words of a text (runs
of letters, runs of digits) and, for words of 4 to 24 letters, every form with one character
deleted. Two words share a key when they are one edit apart (a character left out, added,
substituted, or two neighbours swapped: "jonh" and "john" both give "joh"), so a GIN index on the
stored keys finds the records that hold a near spelling of each word of the query
(`search_keys && tandem_typo_keys(word)`); `crmapp/services/search.py` ranks them. Companies and
deals also get the stored `search_trigrams` contacts have had since 0005.

Row-level security keeps PostgreSQL from using a GIN index for the app role: the policy's
condition must run before any non-LEAKPROOF one, and no GIN operator (`&&`, `@>`) is LEAKPROOF,
so `search_trigrams @> ...` was a filter on a sequential scan all along. `tandem_search_ids()`
is the index probe: SECURITY DEFINER, it runs as the migration role and returns only the ids of
the live rows of the tenant in `app.tenant_id` that match; callers then read the rows themselves,
`WHERE id IN (SELECT tandem_search_ids(...))`, under row-level security as ever. When the
migration role is a superuser or BYPASSRLS (the embedded and docker-compose set-ups), the probe
uses the GIN indexes; otherwise it still returns the right ids, by a scan.

Adding a stored generated column rewrites the table (an exclusive lock while it runs).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The searchable text of each table; the models declare the same expressions (Computed).
TEXTS = {
    "contact": "first_name || ' ' || last_name || ' ' || email",
    "company": "name || ' ' || domain",
    "deal": "title",
}


def upgrade() -> None:
    op.execute(
        r"""
        CREATE OR REPLACE FUNCTION tandem_typo_keys(t text) RETURNS text[]
        LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
        DECLARE
            w text;
            n int;
            keys text[] := '{}';
        BEGIN
            FOR w IN
                SELECT (regexp_matches(
                    lower(t), '[^[:space:][:punct:][:digit:]]+|[[:digit:]]+', 'g'))[1]
            LOOP
                keys := keys || w;
                n := length(w);
                IF n BETWEEN 4 AND 24 AND w !~ '^[[:digit:]]' THEN
                    FOR i IN 1..n LOOP
                        keys := keys || (left(w, i - 1) || substr(w, i + 1));
                    END LOOP;
                END IF;
            END LOOP;
            RETURN ARRAY(SELECT DISTINCT k FROM unnest(keys) AS k ORDER BY 1);
        END $$
        """
    )
    for table in ("company", "deal"):
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_trigrams text[] "
            f"GENERATED ALWAYS AS (tandem_trigrams({TEXTS[table]})) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_trigrams)")
    for table, text in TEXTS.items():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_keys text[] "
            f"GENERATED ALWAYS AS (tandem_typo_keys({text})) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_keys ON {table} USING gin (search_keys)")
    # Conditions are fixed SQL over the parameters (never text pasted in); `kind` is one of three.
    op.execute(
        r"""
        CREATE OR REPLACE FUNCTION tandem_search_ids(
            kind text, typo_words text[], fragment text, within text
        ) RETURNS SETOF uuid
        LANGUAGE plpgsql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, public, pg_temp
        ROWS 20
        AS $$
        DECLARE
            tenant uuid := NULLIF(current_setting('app.tenant_id', true), '')::uuid;
            conditions text[] := '{}';
        BEGIN
            IF tenant IS NULL OR kind IS NULL OR kind NOT IN ('contact', 'company', 'deal') THEN
                RETURN;
            END IF;
            -- Every word has a near spelling in the record.
            FOR i IN 1..coalesce(cardinality(typo_words), 0) LOOP
                conditions := conditions
                    || format('search_keys && public.tandem_typo_keys($2[%s])', i);
            END LOOP;
            -- A word still being typed: a near spelling, or its trigrams (the caller rechecks).
            IF length(fragment) >= 3 THEN
                conditions := conditions || '(search_keys && public.tandem_typo_keys($3)
                    OR search_trigrams @> public.tandem_trigrams($3))'::text;
            END IF;
            -- Candidates for a substring (the caller rechecks with ILIKE).
            IF length(within) >= 3 THEN
                conditions := conditions || 'search_trigrams @> public.tandem_trigrams($4)'::text;
            END IF;
            IF cardinality(conditions) = 0 THEN
                RETURN;
            END IF;
            RETURN QUERY EXECUTE format(
                'SELECT id FROM public.%I WHERE org_id = $1 AND deleted_at IS NULL AND %s',
                kind, array_to_string(conditions, ' AND ')
            ) USING tenant, typo_words, fragment, within;
        END $$
        """
    )
    # The app role gets EXECUTE from `grant_app_role` (crmapp/services/platform/db_setup.py).
    op.execute("REVOKE ALL ON FUNCTION tandem_search_ids(text, text[], text, text) FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS tandem_search_ids(text, text[], text, text)")
    for table in TEXTS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_keys")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_keys")
    for table in ("company", "deal"):
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search")
        op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_trigrams")
    op.execute("DROP FUNCTION IF EXISTS tandem_typo_keys(text)")
