"""The proposal document: one HTML rendering, and the PDF WeasyPrint makes from it."""

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from crmapp.services.proposals import render, richtext
from crmapp.services.proposals.pricing import LineItem
from crmapp.services.proposals.render import RenderDoc, SignatureInfo

SHA = "3f7a9c0e5b1d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a"
SENTENCE = "We will rebuild the marketing site in six weeks."


def make_doc(**changes) -> RenderDoc:
    doc = RenderDoc(
        title="Website redesign",
        org_name="Acme Corp",
        client="Globex Inc",
        prepared_by="Jane Doe",
        currency="USD",
        sections=[
            ("Overview", richtext.markdown_to_html(f"{SENTENCE}\n\n- **design**\n- build")),
            ("Timeline", "<p>Kick-off in July.</p>"),
        ],
        items=[
            LineItem("Discovery workshop", D(2), D("1500")),
            LineItem("Implementation", D(1), D("9500")),
        ],
        discount_pct=D(10),
        tax_pct=D("8.25"),
        version=3,
        status="sent",
        created_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        timezone="Europe/Paris",
    )
    return replace(doc, **changes)


def make_signature() -> SignatureInfo:
    return SignatureInfo(
        signer_name="Ada Lovelace",
        signer_email="ada@globex.example",
        signed_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        ip="203.0.113.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        document_sha256=SHA,
        version=3,
    )


def pdf_pages(doc: RenderDoc) -> list[str]:
    data = render.pdf_bytes(doc)
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_html_has_cover_sections_pricing_and_page_counter():
    html = render.document_html(make_doc())
    assert html.startswith("<!DOCTYPE html>")
    assert "Acme Corp" in html and "<h1>Website redesign</h1>" in html
    assert "Prepared for Globex Inc" in html and "Jane Doe" in html and "01 June 2026" in html
    assert "<h2>Overview</h2>" in html and "<strong>design</strong>" in html
    assert "<h2>Pricing</h2>" in html
    assert "12,500.00 USD" in html and "-1,250.00 USD" in html and "928.13 USD" in html
    assert "12,178.13 USD" in html
    assert 'counter(page) " of " counter(pages)' in html
    assert "#4f46e5" in html and "DejaVu Sans" in html
    assert "Signing certificate" not in html


def test_html_escapes_text_and_sanitizes_bodies_again():
    doc = make_doc(
        title="<script>alert(1)</script>",
        client="Tom & Jerry <b>",
        sections=[("<i>T</i>", '<p onclick="x()">ok</p><script>bad()</script>')],
        items=[LineItem("<img src=x onerror=y>", D(1), D(1))],
    )
    html = render.document_html(doc)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Tom &amp; Jerry &lt;b&gt;" in html
    assert "<h2>&lt;i&gt;T&lt;/i&gt;</h2>" in html
    assert "onclick" not in html and "bad()" not in html
    assert "<img" not in html


def test_html_omits_zero_discount_tax_and_empty_pricing():
    html = render.document_html(make_doc(discount_pct=D(0), tax_pct=D(0)))
    assert "Subtotal" in html and "Discount" not in html and "Tax (" not in html
    assert "Pricing" not in render.document_html(make_doc(items=[]))


def test_pdf_contains_title_sentence_total_and_page_numbers():
    pages = pdf_pages(make_doc())
    assert len(pages) == 1
    text = squash(pages[0])
    assert "Website redesign" in text
    assert SENTENCE in text
    assert "12,178.13 USD" in text
    assert "Page 1 of 1" in text
    assert "Signing certificate" not in text


def test_long_pdf_numbers_every_page():
    body = "".join(f"<p>Paragraph {n}: {SENTENCE}</p>" for n in range(120))
    pages = pdf_pages(make_doc(sections=[("Details", body)]))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page


def test_signed_pdf_ends_with_a_signing_certificate():
    pages = pdf_pages(make_doc(signature=make_signature()))
    assert len(pages) == 2
    assert "Signing certificate" not in pages[0]
    last = squash(pages[-1])
    assert "Signing certificate" in last
    assert SHA in re.sub(r"\s+", "", pages[-1])
    assert "Ada Lovelace" in last and "ada@globex.example" in last
    assert "2026-07-01T12:00:00+00:00" in last
    assert "2026-07-01T14:00:00+02:00" in last  # Europe/Paris, summer time
    assert "203.0.113.7" in last and "Firefox/140.0" in last
    assert "typed their name" in last and "electronically" in last
    assert "Page 2 of 2" in last


@pytest.mark.parametrize("zone_name", ["UTC", "Not/AZone", ""])
def test_a_certificate_in_utc_prints_the_signing_time_once(zone_name):
    """UTC, or an unknown zone falling back to it: one "Signed at (UTC)" row, not two."""
    html = render.document_html(make_doc(signature=make_signature(), timezone=zone_name))
    assert html.count("Signed at (UTC)") == 1
    assert "2026-07-01T12:00:00+00:00" in html


def test_a_signer_without_an_email_is_named_without_empty_brackets():
    signature = replace(make_signature(), signer_email="")
    text = squash(pdf_pages(make_doc(signature=signature))[-1])
    assert "Ada Lovelace" in text and "<>" not in text
