"""Reading an uploaded document's text, within limits on what a small file may expand to.

Two steps. `check` runs while the upload waits: it looks only at what is cheap to know (the
type, the size, a DOCX's table of contents with every part's packed and unpacked size, a PDF's
page count, a text file's length) and refuses a file whose parts would unpack to far more than
an ordinary document. `extract` runs in the background job: it streams a DOCX's body through
expat (no tree is built, so memory stays flat), reads a PDF page by page, and stops as soon as
the text passes a limit. Every refusal says what to do.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from xml.parsers import expat

from crmapp.services.platform.errors import ValidationError, report

MB = 1024 * 1024
MAX_BYTES = 20 * MB  # the upload itself
# About 400 pages of prose. Chunking and embedding that many characters takes minutes on the
# CPU; the 61 M characters of the reported .docx would have taken hours.
MAX_CHARACTERS = 1_000_000
MAX_PARAGRAPHS = 100_000
MAX_PAGES = 1_000
# A DOCX part may unpack to at most 100 times its packed size (Apache POI's default "minimum
# inflate ratio" is the same 1 %): ordinary Word XML packs 5 to 15 times. Small parts are
# exempt (they may be padding-heavy), and no part may unpack past MAX_PART_BYTES.
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1 * MB
MAX_PART_BYTES = 40 * MB
MAX_PACKAGE_BYTES = 200 * MB
KINDS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf", ".docx": "docx"}

_W = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
}
_OFFICE_DOCUMENT = re.compile(
    rb'Type="[^"]*/officeDocument"[^>]*Target="([^"]+)"|'
    rb'Target="([^"]+)"[^>]*Type="[^"]*/officeDocument"'
)


def _fail(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _reference(error: BaseException, kind: str) -> str:
    """The parser's complaint goes to the log; the user gets a reference to it."""
    return f": it may be damaged. Save it again and upload it (reference {report(error, kind)})"


def _size(count: int) -> str:
    if count >= MB:
        return f"{count / MB:.0f} MB"
    return f"{max(1, round(count / 1024))} KB"


def _split(what: str) -> ValidationError:
    return _fail(f"{what}; split it into smaller files and upload those.")


def kind_of(filename: str) -> str:
    """The document kind for a file name, or a ValidationError naming what is accepted."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = KINDS.get(suffix)
    if kind is None:
        raise _fail("Upload a .txt, .md, .pdf or .docx file.")
    return kind


def check(filename: str, content: bytes) -> str:
    """Refuse, without unpacking or parsing its text, a file that cannot be read or would
    expand past the limits. Returns the document kind.

    Raises:
        ValidationError: ``{"file": ...}`` saying why and what to do.
    """
    kind = kind_of(filename)
    if not content.strip():
        raise _fail("The file is empty.")
    if len(content) > MAX_BYTES:
        raise _fail(f"The file is larger than {_size(MAX_BYTES)}.")
    if kind == "docx":
        with _package(content) as package:
            _check_parts(package)
            _main_part(package)
    elif kind == "pdf":
        _pdf_reader(content)
    else:
        _check_characters(len(_decode(content)))
    return kind


def extract(kind: str, content: bytes) -> str:
    """The text of a file `check` accepted, stopping at the first limit passed.

    Raises:
        ValidationError: ``{"file": ...}``: unreadable, too much text, or no text at all.
    """
    if kind == "docx":
        found = _docx_text(content)
    elif kind == "pdf":
        found = _pdf_text(content)
    else:
        found = _decode(content)
        _check_characters(len(found))
    found = re.sub(r"[ \t]+", " ", found).strip()
    if not found:
        raise _fail("No text found in this file (a scanned PDF?).")
    return found


def extract_text(filename: str, content: bytes) -> str:
    """`check`, then `extract`: the text of an uploaded file, or a ValidationError."""
    return extract(check(filename, content), content)


def _check_characters(count: int) -> None:
    if count > MAX_CHARACTERS:
        raise _split(f"This document has more than {MAX_CHARACTERS:,} characters of text")


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail("Not UTF-8 text: save the file as UTF-8.") from None


def _package(content: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _fail("This DOCX could not be read (it is not a Word document).") from None


def _check_parts(package: zipfile.ZipFile) -> None:
    """Every part's declared sizes, from the zip's table of contents (Python's zipfile never
    unpacks more than a part declares: a part that lies fails its checksum instead)."""
    total = 0
    for info in package.infolist():
        total += info.file_size
        packed = max(info.compress_size, 1)
        bomb = info.file_size > RATIO_GRACE_BYTES and info.file_size > MAX_RATIO * packed
        if bomb or info.file_size > MAX_PART_BYTES or total > MAX_PACKAGE_BYTES:
            raise _fail(
                f"This DOCX unpacks to {_size(info.file_size)} from {_size(packed)}"
                f" ({info.file_size // packed:,} times its size), more than an ordinary document"
                " ever does, so it was not read. Save it again from Word (or copy its text into"
                " a new document) and upload that."
            )


def _main_part(package: zipfile.ZipFile) -> str:
    """The main document part named by the package's relationships (word/document.xml)."""
    names = set(package.namelist())
    target = "word/document.xml"
    if "_rels/.rels" in names and package.getinfo("_rels/.rels").file_size < MB:
        found = _OFFICE_DOCUMENT.search(package.read("_rels/.rels"))
        if found:
            target = posixpath.normpath((found.group(1) or found.group(2)).decode().lstrip("/"))
    if target not in names:
        raise _fail("This DOCX could not be read (it has no document body).")
    return target


def _heading_level(style: str) -> int:
    """The level of a Word paragraph style: "Title" 1, "Heading2" 2 (body styles 0)."""
    if style.lower() == "title":
        return 1
    match = re.fullmatch(r"(?i)heading\s*([1-6])", style)
    return int(match.group(1)) if match else 0


class _Body:
    """Collects paragraph text from WordprocessingML events, counting as it goes."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.outer: list[list[str]] = []  # paragraphs inside a text box nest in their paragraph
        self.levels: list[int] = []  # the heading level of each open paragraph, 0 for body text
        self.in_text = False
        self.characters = 0
        self.count = 0

    @staticmethod
    def _local(tag: str) -> str:
        namespace, _, local = tag.rpartition(" ")
        return local if namespace in _W else ""

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = self._local(tag)
        if local == "p":
            self.outer.append(self.current)
            self.levels.append(0)
            self.current = []
        elif local == "pStyle" and self.levels:
            style = next((v for k, v in attrs.items() if k.endswith(" val")), "")
            self.levels[-1] = _heading_level(style)
        elif local == "t":
            self.in_text = True
        elif local == "tab":
            self.current.append("\t")
        elif local in ("br", "cr"):
            self.current.append("\n")

    def end(self, tag: str) -> None:
        local = self._local(tag)
        if local == "t":
            self.in_text = False
        elif local == "p" and self.outer:
            text = "".join(self.current).strip()
            self.current = self.outer.pop()
            level = self.levels.pop() if self.levels else 0
            if level and text:  # kept as a Markdown heading: passages know their section
                text = f"{'#' * level} {' '.join(text.split())}"
            self.count += 1
            if self.count > MAX_PARAGRAPHS:
                raise _split(f"This DOCX has more than {MAX_PARAGRAPHS:,} paragraphs")
            if text:
                self.paragraphs.append(text)

    def data(self, text: str) -> None:
        if self.in_text:
            self.characters += len(text)
            _check_characters(self.characters)
            self.current.append(text)


def _refuse_doctype(*_args: object) -> None:
    raise _fail("This DOCX could not be read (its XML declares a document type).")


def _docx_text(content: bytes) -> str:
    body = _Body()
    parser = expat.ParserCreate(namespace_separator=" ")
    handlers: dict[str, Callable[..., None]] = {
        "StartElementHandler": body.start,
        "EndElementHandler": body.end,
        "CharacterDataHandler": body.data,
        "StartDoctypeDeclHandler": _refuse_doctype,
        "EntityDeclHandler": _refuse_doctype,
    }
    for name, handler in handlers.items():
        setattr(parser, name, handler)
    with _package(content) as package:
        _check_parts(package)
        try:
            with package.open(_main_part(package)) as stream:
                while chunk := stream.read(MB):
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError) as err:
            raise _fail(f"This DOCX could not be read{_reference(err, 'a DOCX')}.") from None
    return "\n\n".join(body.paragraphs)


def _pdf_reader(content: bytes):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _fail("This PDF is password-protected; remove the password and upload it again.")
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception as err:  # a corrupt PDF raises whatever its parser raises
        raise _fail(f"This PDF could not be read{_reference(err, 'a PDF')}.") from None
    if pages > MAX_PAGES:
        raise _split(f"This PDF has {pages:,} pages; the limit is {MAX_PAGES:,}")
    return reader


def _pdf_text(content: bytes) -> str:
    reader = _pdf_reader(content)
    found: list[str] = []
    characters = 0
    try:
        for page in reader.pages:
            text = page.extract_text() or ""
            characters += len(text)
            _check_characters(characters)
            found.append(text)
    except ValidationError:
        raise
    except Exception as err:
        raise _fail(f"This PDF could not be read{_reference(err, 'a PDF')}.") from None
    return "\n\n".join(found)
