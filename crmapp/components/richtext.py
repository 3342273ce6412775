"""The proposal-section editor: a local React component over TipTap, wrapped for Reflex."""

from __future__ import annotations

import reflex as rx
from reflex.event import passthrough_event_spec
from reflex_components_lucide.icon import LUCIDE_LIBRARY

# One TipTap release for every package: its packages pin each other exactly.
TIPTAP_VERSION = "3.34.0"
TIPTAP = [
    f"@tiptap/{name}@{TIPTAP_VERSION}"
    for name in ("core", "pm", "react", "starter-kit", "extensions")
]


class RichTextEditor(rx.Component):
    """Bold / italic / H3 / lists / quote editing of one HTML section.

    `content` is the section's HTML; when it changes on the server the editor shows the new
    HTML, unless the user is typing in it at that moment. `on_save(html)` fires on blur and
    after 1.5 s without typing, only when the HTML changed since the last save; an empty
    document is saved as "". Give it an `id`: `#<id> .ProseMirror` is the editable element.
    """

    library = rx.asset("richtext.jsx", shared=True).importable_path
    tag = "RichTextEditor"
    # The toolbar icons come from the lucide-react that rx.icon already installs.
    lib_dependencies: list[str] = [*TIPTAP, LUCIDE_LIBRARY]

    content: rx.Var[str]
    editable: rx.Var[bool]
    placeholder: rx.Var[str]
    label: rx.Var[str]  # the text box's accessible name (a section's title)
    on_save: rx.EventHandler[passthrough_event_spec(str)]


rich_text_editor = RichTextEditor.create
