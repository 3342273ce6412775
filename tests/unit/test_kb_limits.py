"""Knowledge-base extraction limits: what a small upload may expand to (characters, paragraphs,
pages, and the ratio of a DOCX's unpacked parts to their packed size), each refused with a
message that says what to do."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals import knowledge_extract

pytestmark = pytest.mark.unit

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx_of(body_xml: bytes) -> bytes:
    """A minimal .docx whose body is `body_xml` (built by hand, as an attacker would)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", RELS)
        package.writestr(
            "word/document.xml",
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            + f'<w:document xmlns:w="{W}"><w:body>'.encode()
            + body_xml
            + b"</w:body></w:document>",
        )
    return out.getvalue()


def paragraph(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def words(count: int, seed: int = 7) -> list[str]:
    """Different short words, so the text does not compress like a bomb."""
    rng = random.Random(seed)
    return [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9)))
        for _ in range(count)
    ]


def test_a_docx_that_unpacks_to_hundreds_of_times_its_size_is_refused_unread():
    # 148 KB in the report, 60 MB inside; here 12 MB of paragraphs packed into a few dozen KB.
    bomb = docx_of(paragraph("All work and no play makes Jack a dull boy.") * 220_000)
    assert len(bomb) < 200_000
    with pytest.raises(ValidationError) as refused:
        knowledge_extract.extract_text("report.docx", bomb)
    message = str(refused.value)
    assert "unpacks to" in message and "times its size" in message
    assert "save it again" in message.lower()


def test_a_docx_with_too_many_paragraphs_is_refused():
    many = b"".join(paragraph(w) for w in words(knowledge_extract.MAX_PARAGRAPHS + 10))
    with pytest.raises(
        ValidationError, match=f"more than {knowledge_extract.MAX_PARAGRAPHS:,} paragraphs"
    ):
        knowledge_extract.extract_text("minutes.docx", docx_of(many))


def test_a_docx_with_too_much_text_is_refused():
    body = " ".join(words(knowledge_extract.MAX_CHARACTERS // 5))
    long_paragraphs = b"".join(paragraph(body[i : i + 5000]) for i in range(0, len(body), 5000))
    with pytest.raises(
        ValidationError, match=f"more than {knowledge_extract.MAX_CHARACTERS:,} characters"
    ):
        knowledge_extract.extract_text("book.docx", docx_of(long_paragraphs))


def test_a_text_file_with_too_much_text_is_refused():
    body = " ".join(words(knowledge_extract.MAX_CHARACTERS // 5)).encode()
    assert len(body) > knowledge_extract.MAX_CHARACTERS
    with pytest.raises(ValidationError, match="split it"):
        knowledge_extract.extract_text("dump.txt", body)


def test_a_pdf_with_too_many_pages_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(knowledge_extract.MAX_PAGES + 1):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError, match=f"{knowledge_extract.MAX_PAGES + 1:,} pages"):
        knowledge_extract.extract_text("scan.pdf", out.getvalue())


def test_an_ordinary_docx_keeps_its_paragraphs_tabs_breaks_and_tables():
    body = (
        paragraph("Harbour Lights case study.")
        + b"<w:p><w:r><w:t>Six</w:t><w:tab/><w:t>weeks</w:t><w:br/><w:t>on budget</w:t></w:r></w:p>"
        + b"<w:tbl><w:tr><w:tc>"
        + paragraph("Retainer: 20 hours")
        + b"</w:tc></w:tr></w:tbl>"
    )
    text = knowledge_extract.extract_text("case.docx", docx_of(body))
    assert text.split("\n\n") == [
        "Harbour Lights case study.",
        "Six weeks\non budget",
        "Retainer: 20 hours",
    ]


def test_a_docx_made_by_word_is_read():
    import docx

    document = docx.Document()
    document.add_paragraph("We rebuilt their booking site in six weeks.")
    out = io.BytesIO()
    document.save(out)
    assert knowledge_extract.extract_text("case.docx", out.getvalue()) == (
        "We rebuilt their booking site in six weeks."
    )


def test_a_damaged_docx_is_explained():
    with pytest.raises(ValidationError, match="could not be read"):
        knowledge_extract.extract_text("broken.docx", b"PK\x03\x04 not really a zip")
