"""Knowledge base: upload, chunk and embed on the real worker, search, RLS, the HNSW index."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text
from sqlmodel import select

from crmapp.models.kb import KBChunk, KBDocument
from crmapp.services.ai import embeddings
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals import knowledge_base, knowledge_extract
from jobs import kb as kb_jobs
from tests import factories

HANDBOOK = """# Services handbook

Our monthly retainer includes twenty hours of design and ten hours of development. Unused hours
roll over for one month.

Fixed-bid projects are priced per milestone. We invoice 40% at kick-off, 40% at beta and 20% at
launch.

Our studio is in Lisbon and works with clients across Europe. Support is by email on weekdays.
"""


def _pdf(body: str) -> bytes:
    """A one-page PDF whose page draws `body` (enough for a text extractor)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({body}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body_ in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body_ + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF".encode()
    )
    return out.getvalue()


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _upload(signed, filename: str, content: bytes, rq_worker_burst) -> KBDocument:
    with factories.scoped(signed) as session:
        document = knowledge_base.add_document(
            session, signed.actor, filename=filename, content=content
        )
    kb_jobs.enqueue_embedding(document.id, signed.actor.org_id)
    rq_worker_burst()
    with factories.scoped(signed) as session:
        return session.get(KBDocument, document.id)


def test_documents_of_every_kind_are_embedded_and_searchable(rq_worker_burst):
    owner = factories.signup()
    handbook = _upload(owner, "handbook.md", HANDBOOK.encode(), rq_worker_burst)
    pdf = _upload(
        owner, "terms.pdf", _pdf("Payment is due within 30 days of invoice."), rq_worker_burst
    )
    word = _upload(
        owner,
        "case.docx",
        _docx(["Harbour Lights case study.", "We rebuilt their booking site in six weeks."]),
        rq_worker_burst,
    )
    assert [d.status for d in (handbook, pdf, word)] == ["ready"] * 3
    assert handbook.chunk_count >= 1 and "Payment is due" in pdf.text
    with factories.scoped(owner) as session:
        chunk = session.exec(select(KBChunk)).first()
        assert (chunk.embed_model, chunk.embed_dim) == (embeddings.LOCAL_MODEL, 384)
        hours = knowledge_base.search(
            session, owner.actor, "how many design hours are in the retainer?"
        )
        due = knowledge_base.search(session, owner.actor, "when must invoices be paid?", k=1)
        booking = knowledge_base.search(session, owner.actor, "booking website rebuild", k=1)
    assert "twenty hours of design" in hours[0].text and hours[0].title == "handbook"
    assert "30 days" in due[0].text
    assert booking[0].title == "case"
    assert hours[0].score > hours[-1].score


def test_no_retrieval_ever_returns_another_organisations_passages(rq_worker_burst):
    owner, stranger = factories.signup(), factories.signup("Other")
    _upload(owner, "handbook.md", HANDBOOK.encode(), rq_worker_burst)
    with factories.scoped(stranger) as session:
        assert knowledge_base.search(session, stranger.actor, "retainer design hours") == []
        assert session.exec(text("SELECT count(*) FROM kb_chunk")).one()[0] == 0  # unfiltered
        assert knowledge_base.list_documents(session, stranger.actor) == []


def test_search_uses_the_hnsw_index(rq_worker_burst):
    owner = factories.signup()
    _upload(owner, "handbook.md", HANDBOOK.encode(), rq_worker_burst)
    vector = str(embeddings.query("retainer").vectors[0])
    with tenant_session(owner.actor.org_id) as session:
        # A table of one passage is cheaper to sort than to walk an index; with neither a
        # scan nor a sort allowed, only an index that yields the order answers the query.
        session.exec(text("SET LOCAL enable_seqscan = off"))
        session.exec(text("SET LOCAL enable_sort = off"))
        plan = "\n".join(
            r[0]
            for r in session.exec(
                text(
                    "EXPLAIN SELECT id FROM kb_chunk WHERE embed_dim = 384 "
                    "ORDER BY embedding::vector(384) <=> CAST(:q AS vector(384)) LIMIT 5"
                ),
                params={"q": vector},
            ).all()
        )
    assert "ix_kb_chunk_embedding_384" in plan


def test_changing_the_model_re_embeds_stale_documents(rq_worker_burst):
    owner = factories.signup()
    document = _upload(owner, "handbook.md", HANDBOOK.encode(), rq_worker_burst)
    with tenant_session(owner.actor.org_id) as session:
        session.exec(text("UPDATE kb_chunk SET embed_model = 'old-model'"))
    with tenant_session(owner.actor.org_id) as session:
        assert knowledge_base.stale_documents(session, owner.actor.org_id) == [document.id]
    assert kb_jobs.reembed_stale(str(owner.actor.org_id)) == 1
    with tenant_session(owner.actor.org_id) as session:
        models = set(session.exec(select(KBChunk.embed_model)).all())
    assert models == {embeddings.LOCAL_MODEL}


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("notes.exe", b"MZ", ".txt, .md, .pdf or .docx"),
        ("empty.txt", b"  ", "empty"),
        ("latin.txt", "caf\xe9".encode("latin-1"), "UTF-8"),
        ("broken.pdf", b"%PDF-1.4 garbage", "could not be read"),
    ],
)
def test_bad_uploads_are_explained(filename, content, message):
    owner = factories.signup()
    with factories.scoped(owner) as session, pytest.raises(ValidationError, match=message):
        knowledge_base.add_document(session, owner.actor, filename=filename, content=content)


def test_chunks_overlap_and_respect_the_size():
    body = "\n\n".join(f"Sentence number {i} talks about topic {i}." * 5 for i in range(20))
    chunks = knowledge_base.chunk_text(body, size=300, overlap=60)
    assert all(len(c) <= 300 for c in chunks) and len(chunks) > 5
    assert chunks[1].split()[0] in chunks[0]  # the next chunk starts inside the previous one


def test_the_document_list_reads_lengths_not_texts(rq_worker_burst):
    from sqlalchemy import event

    from crmapp.services.platform.db import get_engine

    owner = factories.signup()
    document = _upload(owner, "handbook.md", HANDBOOK.encode(), rq_worker_burst)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(get_engine(), "before_cursor_execute", seen)
    try:
        with factories.scoped(owner) as session:
            (row,) = knowledge_base.list_documents(session, owner.actor)
    finally:
        event.remove(get_engine(), "before_cursor_execute", seen)
    listing = [s for s in statements if "FROM kb_document" in s]
    assert listing and not any("kb_document.text" in s for s in listing), listing
    assert not any("kb_document.source" in s for s in listing), listing
    assert (row.id, row.status) == (document.id, "ready")
    assert row.characters == len(document.text) > 0
    assert not hasattr(row, "text")


def test_a_docx_bomb_is_refused_at_upload_and_nothing_is_kept():
    from tests.unit.test_kb_limits import docx_of, paragraph

    owner = factories.signup()
    bomb = docx_of(paragraph("All work and no play makes Jack a dull boy.") * 220_000)
    with pytest.raises(ValidationError, match="times its size"), factories.scoped(owner) as s:
        knowledge_base.add_document(s, owner.actor, filename="report.docx", content=bomb)
    with factories.scoped(owner) as session:
        assert session.exec(select(KBDocument)).all() == []


def test_text_past_the_limit_fails_the_document_with_the_reason(rq_worker_burst):
    from tests.unit.test_kb_limits import docx_of, paragraph, words

    owner = factories.signup()
    body = " ".join(words(knowledge_extract.MAX_CHARACTERS // 5))
    book = docx_of(b"".join(paragraph(body[i : i + 5000]) for i in range(0, len(body), 5000)))
    with factories.scoped(owner) as session:  # accepted at once: only reading it tells
        document = knowledge_base.add_document(
            session, owner.actor, filename="book.docx", content=book
        )
        assert (document.status, document.characters) == ("queued", 0)
    kb_jobs.enqueue_embedding(document.id, owner.actor.org_id)
    rq_worker_burst()
    with factories.scoped(owner) as session:
        failed = session.get(KBDocument, document.id)
        assert failed.status == "failed"
        assert f"more than {knowledge_extract.MAX_CHARACTERS:,} characters" in failed.error
        assert "split it" in failed.error
        assert failed.source is None and failed.text == ""  # the upload is not kept
        assert session.exec(select(KBChunk)).all() == []
