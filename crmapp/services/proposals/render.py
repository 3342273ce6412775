"""The one HTML rendering of a proposal: the printable page, and the PDF made from it.

`document_html` builds a complete, self-contained document (embedded CSS, no external assets) so
that the browser's print view and WeasyPrint's PDF show the same thing. Page numbers come from CSS
`@page` counters, which WeasyPrint honours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from html import escape

from crmapp.services.platform.timefmt import zone
from crmapp.services.proposals import richtext
from crmapp.services.proposals.pricing import LineItem, format_money, totals

ACCENT = "#4f46e5"


@dataclass(frozen=True)
class SignatureInfo:
    """Evidence of an electronic signature, printed on the signing certificate."""

    signer_name: str
    signer_email: str
    signed_at: datetime  # timezone-aware, UTC
    ip: str
    user_agent: str
    document_sha256: str
    version: int


@dataclass(frozen=True)
class RenderDoc:
    """Everything `document_html` needs; built by the proposals service from the database."""

    title: str
    org_name: str
    client: str
    prepared_by: str
    currency: str
    sections: list[tuple[str, str]]  # (title, sanitized html)
    items: list[LineItem]
    discount_pct: Decimal
    tax_pct: Decimal
    version: int
    status: str
    created_at: datetime
    signature: SignatureInfo | None = None
    timezone: str = "UTC"


CSS = f"""
@page {{
  size: A4;
  margin: 22mm 18mm 24mm 18mm;
  @bottom-center {{
    content: "Page " counter(page) " of " counter(pages);
    font-family: "DejaVu Sans", "Liberation Sans", sans-serif;
    font-size: 8.5pt;
    color: #6b7280;
  }}
}}
html {{ font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10.5pt;
  line-height: 1.5; color: #111827; }}
body {{ margin: 0; }}
@media screen {{ body {{ max-width: 180mm; margin: 10mm auto; padding: 0 8mm; }} }}
.cover {{ border-top: 6px solid {ACCENT}; padding-top: 14mm; margin-bottom: 12mm; }}
.cover .org {{ color: {ACCENT}; font-weight: bold; letter-spacing: 0.06em;
  text-transform: uppercase; font-size: 9.5pt; }}
.cover h1 {{ font-size: 24pt; line-height: 1.2; margin: 4mm 0 3mm 0; }}
.cover .client {{ font-size: 13pt; margin: 0 0 6mm 0; }}
.cover dl {{ display: grid; grid-template-columns: max-content auto; gap: 1mm 6mm;
  margin: 0; color: #374151; font-size: 9.5pt; }}
.cover dt {{ font-weight: bold; }}
.cover dd {{ margin: 0; }}
section {{ margin-bottom: 8mm; }}
h2 {{ color: {ACCENT}; font-size: 14pt; margin: 0 0 3mm 0; padding-bottom: 1.5mm;
  border-bottom: 1px solid #e5e7eb; break-after: avoid; page-break-after: avoid; }}
h3 {{ font-size: 12pt; margin: 4mm 0 2mm 0; break-after: avoid; }}
h4 {{ font-size: 10.5pt; margin: 3mm 0 1.5mm 0; break-after: avoid; }}
p {{ margin: 0 0 3mm 0; orphans: 3; widows: 3; }}
a {{ color: {ACCENT}; }}
blockquote {{ margin: 0 0 3mm 0; padding-left: 4mm; border-left: 3px solid #c7d2fe;
  color: #374151; }}
code, pre {{ font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9pt; }}
pre {{ background: #f3f4f6; padding: 3mm; white-space: pre-wrap; }}
table {{ border-collapse: collapse; width: 100%; margin: 0 0 3mm 0; }}
th, td {{ border-bottom: 1px solid #e5e7eb; padding: 1.5mm 2mm; text-align: left;
  vertical-align: top; }}
th {{ background: #eef2ff; }}
tr {{ break-inside: avoid; }}
table.pricing td.num, table.pricing th.num {{ text-align: right; white-space: nowrap; }}
table.pricing tfoot td {{ border-bottom: none; }}
table.pricing tr.grand td {{ font-weight: bold; font-size: 11.5pt;
  border-top: 2px solid {ACCENT}; }}
.certificate {{ break-before: page; page-break-before: always; }}
.certificate table th {{ width: 32%; background: #eef2ff; }}
.certificate .hash {{ font-family: "DejaVu Sans Mono", "Liberation Mono", monospace;
  font-size: 8pt; word-break: break-all; }}
.certificate .consent {{ margin-top: 6mm; color: #374151; }}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _date(dt: datetime, tz: str) -> str:
    return dt.astimezone(zone(tz)).strftime("%d %B %Y")


def _pct(value: Decimal) -> str:
    text = f"{Decimal(value).normalize():f}"
    return f"{text} %"


def _cover(doc: RenderDoc) -> str:
    client = f'<p class="client">Prepared for {_e(doc.client)}</p>' if doc.client else ""
    return (
        '<header class="cover">'
        f'<div class="org">{_e(doc.org_name)}</div>'
        f"<h1>{_e(doc.title)}</h1>"
        f"{client}"
        "<dl>"
        f"<dt>Prepared by</dt><dd>{_e(doc.prepared_by)}</dd>"
        f"<dt>Date</dt><dd>{_e(_date(doc.created_at, doc.timezone))}</dd>"
        f"<dt>Version</dt><dd>{_e(doc.version)}</dd>"
        "</dl></header>"
    )


def _sections(doc: RenderDoc) -> str:
    parts = []
    for title, body in doc.sections:
        # Bodies are sanitized when saved; sanitizing again costs little and guards old rows.
        parts.append(f"<section><h2>{_e(title)}</h2>{richtext.sanitize(body)}</section>")
    return "".join(parts)


def _pricing(doc: RenderDoc) -> str:
    if not doc.items:
        return ""
    money = doc.currency
    sums = totals(doc.items, doc.discount_pct, doc.tax_pct)
    rows = "".join(
        "<tr>"
        f"<td>{_e(item.description)}</td>"
        f'<td class="num">{_e(f"{item.quantity.normalize():f}")}</td>'
        f'<td class="num">{_e(format_money(item.unit_price, money))}</td>'
        f'<td class="num">{_e(format_money(item.total, money))}</td>'
        "</tr>"
        for item in doc.items
    )

    def foot(label: str, amount: Decimal, css: str = "") -> str:
        cls = f' class="{css}"' if css else ""
        return (
            f'<tr{cls}><td colspan="3" class="num">{_e(label)}</td>'
            f'<td class="num">{_e(format_money(amount, money))}</td></tr>'
        )

    foot_rows = [foot("Subtotal", sums.subtotal)]
    if doc.discount_pct:
        foot_rows.append(foot(f"Discount ({_pct(doc.discount_pct)})", 0 - sums.discount))
    if doc.tax_pct:
        foot_rows.append(foot(f"Tax ({_pct(doc.tax_pct)})", sums.tax))
    foot_rows.append(foot("Total", sums.total, "grand"))
    return (
        '<section class="pricing"><h2>Pricing</h2>'
        '<table class="pricing"><thead><tr><th>Description</th><th class="num">Qty</th>'
        '<th class="num">Unit price</th><th class="num">Total</th></tr></thead>'
        f"<tbody>{rows}</tbody><tfoot>{''.join(foot_rows)}</tfoot></table></section>"
    )


def _certificate(doc: RenderDoc, sig: SignatureInfo) -> str:
    signed_utc = sig.signed_at.astimezone(UTC)
    tz = zone(doc.timezone)
    local = signed_utc.astimezone(tz)
    signer = f"{sig.signer_name} <{sig.signer_email}>" if sig.signer_email else sig.signer_name
    rows = [
        ("Document", doc.title),
        ("Version signed", str(sig.version)),
        ("Signer", signer),
        ("Signed at (UTC)", signed_utc.isoformat(timespec="seconds")),
    ]
    if tz.key != "UTC":  # a second row only when it says something the first does not
        rows.append(
            (f"Signed at ({tz.key})", f"{local.isoformat(timespec='seconds')} ({local.tzname()})")
        )
    rows += [("IP address", sig.ip), ("User agent", sig.user_agent)]
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    body += (
        "<tr><th>SHA-256 of the signed version</th>"
        f'<td class="hash">{_e(sig.document_sha256)}</td></tr>'
    )
    return (
        '<section class="certificate"><h2>Signing certificate</h2>'
        f"<table>{body}</table>"
        f'<p class="consent">{_e(sig.signer_name)} typed their name as their signature and '
        f"consented to sign this document electronically on "
        f"{_e(signed_utc.strftime('%d %B %Y at %H:%M UTC'))}. The SHA-256 above identifies "
        f"version {_e(sig.version)} of the document exactly as it was shown to the signer.</p>"
        "</section>"
    )


def document_html(doc: RenderDoc) -> str:
    """The proposal as one complete HTML document with embedded CSS.

    Args:
        doc: The proposal to render. Section bodies are HTML and are sanitized again here;
            every other string is escaped.

    Returns:
        An HTML document: cover, sections, the pricing table (when there are items) and, when
        `doc.signature` is set, a signing certificate on a page of its own.
    """
    cert = _certificate(doc, doc.signature) if doc.signature else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(doc.title)} — {_e(doc.org_name)}</title>"
        f"<style>{CSS}</style></head><body>"
        f"{_cover(doc)}<main>{_sections(doc)}{_pricing(doc)}</main>{cert}"
        "</body></html>"
    )


def pdf_bytes(doc: RenderDoc) -> bytes:
    """The proposal as a PDF, made by WeasyPrint from `document_html`.

    Args:
        doc: The proposal to render.

    Returns:
        The PDF file's bytes.
    """
    # Imported here: loading WeasyPrint (and pango through it) takes about a second.
    from weasyprint import HTML

    pdf = HTML(string=document_html(doc)).write_pdf()
    if pdf is None:  # only when a target file is given, which is never the case here
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
