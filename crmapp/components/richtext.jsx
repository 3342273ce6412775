// A rich-text editor for proposal sections, built on TipTap (ProseMirror).
// Props: content (initial HTML; later changes are applied while the editor is not focused),
// editable, placeholder, id / className (on the wrapper; `[id] .ProseMirror` is the
// contenteditable), onSave(html) on blur and after 1.5 s without typing, only when the HTML
// changed since the last save. An empty document is saved as "".
// The server is expected to echo a save back into `content`; an echo of an older save that
// arrives after a newer one was sent is ignored, so a slow round trip never reverts typing.
import React, { useCallback, useEffect, useRef } from "react";
import { EditorContent, useEditor, useEditorState } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import { Placeholder } from "@tiptap/extensions";
import BoldIcon from "lucide-react/dist/esm/icons/bold.mjs";
import ItalicIcon from "lucide-react/dist/esm/icons/italic.mjs";
import Heading3Icon from "lucide-react/dist/esm/icons/heading-3.mjs";
import ListIcon from "lucide-react/dist/esm/icons/list.mjs";
import ListOrderedIcon from "lucide-react/dist/esm/icons/list-ordered.mjs";
import QuoteIcon from "lucide-react/dist/esm/icons/quote.mjs";
import Undo2Icon from "lucide-react/dist/esm/icons/undo-2.mjs";
import Redo2Icon from "lucide-react/dist/esm/icons/redo-2.mjs";

const AUTOSAVE_MS = 1500;

// Scoped to .tandem-rte; lists and headings are restyled explicitly because CSS resets strip them.
const CSS = `
.tandem-rte { border: 1px solid var(--gray-6, #d4d4d8); border-radius: 8px;
  background: var(--color-panel-solid, #fff); transition: border-color .15s, box-shadow .15s; }
.tandem-rte:focus-within { border-color: #4f46e5; box-shadow: 0 0 0 3px rgba(79, 70, 229, .25); }
.tandem-rte[data-editable="false"] { background: var(--gray-2, #fafafa); }
.tandem-rte-toolbar { display: flex; flex-wrap: wrap; gap: 2px; padding: 4px 6px;
  border-bottom: 1px solid var(--gray-5, #e4e4e7); }
.tandem-rte-toolbar .tandem-rte-sep { width: 1px; margin: 4px 4px; background: var(--gray-5, #e4e4e7); }
.tandem-rte-btn { display: inline-flex; align-items: center; justify-content: center;
  width: 28px; height: 28px; border: 0; border-radius: 6px; background: transparent;
  color: var(--gray-11, #52525b); cursor: pointer; }
.tandem-rte-btn:hover:not(:disabled) { background: var(--gray-4, #f4f4f5); color: var(--gray-12, #18181b); }
.tandem-rte-btn[aria-pressed="true"] { background: #e0e7ff; color: #4f46e5; }
.tandem-rte-btn:disabled { opacity: .35; cursor: default; }
.tandem-rte-btn:focus-visible { outline: 2px solid #4f46e5; outline-offset: 1px; }
.tandem-rte .ProseMirror { min-height: 6rem; padding: 10px 14px; outline: none;
  font-size: 15px; line-height: 1.6; color: var(--gray-12, #18181b); word-wrap: break-word;
  white-space: pre-wrap; }
.tandem-rte .ProseMirror > * + * { margin-top: .6em; }
.tandem-rte .ProseMirror p { margin: 0; }
.tandem-rte .ProseMirror h3 { font-size: 1.2em; font-weight: 600; line-height: 1.35; margin: .9em 0 .3em; }
.tandem-rte .ProseMirror h3:first-child { margin-top: 0; }
.tandem-rte .ProseMirror ul, .tandem-rte .ProseMirror ol { padding-left: 1.5em; margin: .4em 0; }
.tandem-rte .ProseMirror ul { list-style: disc outside; }
.tandem-rte .ProseMirror ol { list-style: decimal outside; }
.tandem-rte .ProseMirror ul ul { list-style-type: circle; }
.tandem-rte .ProseMirror li { display: list-item; margin: .15em 0; }
.tandem-rte .ProseMirror li > p { margin: 0; }
.tandem-rte .ProseMirror blockquote { border-left: 3px solid var(--gray-6, #d4d4d8);
  margin: .6em 0; padding-left: 12px; color: var(--gray-11, #52525b); }
.tandem-rte .ProseMirror strong { font-weight: 700; }
.tandem-rte .ProseMirror em { font-style: italic; }
.tandem-rte .ProseMirror a { color: #4f46e5; text-decoration: underline; }
.tandem-rte .ProseMirror code { font-family: ui-monospace, monospace; font-size: .9em;
  background: var(--gray-3, #f4f4f5); padding: 1px 4px; border-radius: 4px; }
.tandem-rte .ProseMirror p.is-editor-empty:first-child::before { content: attr(data-placeholder);
  float: left; height: 0; pointer-events: none; color: var(--gray-9, #a1a1aa); }
`;

// The editor's HTML as saved: an empty document is "" rather than "<p></p>".
function htmlOf(editor) {
  return editor.isEmpty ? "" : editor.getHTML();
}

const TOOLS = [
  { name: "bold", label: "Bold", title: "Bold (Ctrl+B)", Icon: BoldIcon,
    run: (c) => c.toggleBold(), active: (e) => e.isActive("bold") },
  { name: "italic", label: "Italic", title: "Italic (Ctrl+I)", Icon: ItalicIcon,
    run: (c) => c.toggleItalic(), active: (e) => e.isActive("italic") },
  { name: "heading", label: "Heading", title: "Heading (Ctrl+Alt+3)", Icon: Heading3Icon,
    run: (c) => c.toggleHeading({ level: 3 }), active: (e) => e.isActive("heading", { level: 3 }) },
  "sep",
  { name: "bulletList", label: "Bullet list", title: "Bullet list (Ctrl+Shift+8)", Icon: ListIcon,
    run: (c) => c.toggleBulletList(), active: (e) => e.isActive("bulletList") },
  { name: "orderedList", label: "Numbered list", title: "Numbered list (Ctrl+Shift+7)",
    Icon: ListOrderedIcon, run: (c) => c.toggleOrderedList(), active: (e) => e.isActive("orderedList") },
  { name: "blockquote", label: "Quote", title: "Quote (Ctrl+Shift+B)", Icon: QuoteIcon,
    run: (c) => c.toggleBlockquote(), active: (e) => e.isActive("blockquote") },
  "sep",
  { name: "undo", label: "Undo", title: "Undo (Ctrl+Z)", Icon: Undo2Icon,
    run: (c) => c.undo(), can: (e) => e.can().undo() },
  { name: "redo", label: "Redo", title: "Redo (Ctrl+Shift+Z)", Icon: Redo2Icon,
    run: (c) => c.redo(), can: (e) => e.can().redo() },
];

function Toolbar({ editor }) {
  // TipTap 3 does not re-render on every transaction; subscribe to exactly what the buttons show.
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) =>
      Object.fromEntries(
        TOOLS.filter((t) => t !== "sep").map((t) => [
          t.name,
          { active: t.active ? t.active(e) : false, enabled: t.can ? t.can(e) : true },
        ])
      ),
  });
  return (
    <div className="tandem-rte-toolbar" role="toolbar" aria-label="Formatting">
      {TOOLS.map((t, i) =>
        t === "sep" ? (
          <span key={`sep-${i}`} className="tandem-rte-sep" aria-hidden="true" />
        ) : (
          <button
            key={t.name}
            type="button"
            className="tandem-rte-btn"
            data-tool={t.name}
            aria-label={t.label}
            title={t.title}
            aria-pressed={t.active ? Boolean(state?.[t.name]?.active) : undefined}
            disabled={state ? !state[t.name].enabled : false}
            // Keep the focus (and selection) in the text so a click does not count as a blur.
            onMouseDown={(ev) => ev.preventDefault()}
            onClick={() => t.run(editor.chain().focus()).run()}
          >
            <t.Icon size={16} strokeWidth={2.25} aria-hidden="true" />
          </button>
        )
      )}
    </div>
  );
}

export function RichTextEditor({
  content = "",
  editable = true,
  placeholder = "",
  label = "",
  onSave,
  id,
  className,
}) {
  const onSaveRef = useRef(onSave);
  onSaveRef.current = onSave;
  const placeholderRef = useRef(placeholder);
  placeholderRef.current = placeholder;
  const lastSavedRef = useRef(null);
  // Saves sent whose echo has not come back yet, oldest first.
  const unechoedRef = useRef([]);
  const timerRef = useRef(null);

  const flush = useCallback((editor) => {
    if (timerRef.current) {
      clearTimeout(timerRef.current);
      timerRef.current = null;
    }
    if (!editor || editor.isDestroyed) return;
    const html = htmlOf(editor);
    if (html === lastSavedRef.current) return;
    lastSavedRef.current = html;
    unechoedRef.current = [...unechoedRef.current, html].slice(-20);
    if (onSaveRef.current) onSaveRef.current(html);
  }, []);

  const editor = useEditor({
    extensions: [
      StarterKit.configure({
        heading: { levels: [3] },
        link: { openOnClick: false },
        // No forced empty paragraph after a final list or quote: it would end up in the HTML.
        trailingNode: false,
      }),
      Placeholder.configure({ placeholder: () => placeholderRef.current || "" }),
    ],
    content: content || "",
    editable,
    // A text box named by its section ("Investment"), as screen readers announce it.
    editorProps: {
      attributes: { role: "textbox", "aria-multiline": "true", "aria-label": label || "Text" },
    },
    // Render on the client only (no server render to hydrate against).
    immediatelyRender: false,
    onCreate: ({ editor: e }) => {
      lastSavedRef.current = htmlOf(e);
    },
    onUpdate: ({ editor: e }) => {
      if (timerRef.current) clearTimeout(timerRef.current);
      timerRef.current = setTimeout(() => flush(e), AUTOSAVE_MS);
    },
    onBlur: ({ editor: e }) => flush(e),
  });

  // A pending autosave still goes out when the editor is unmounted (e.g. navigating away).
  useEffect(() => () => timerRef.current && flush(editor), [editor, flush]);

  useEffect(() => {
    if (editor && !editor.isDestroyed && editor.isEditable !== Boolean(editable)) {
      editor.setEditable(Boolean(editable), false);
    }
  }, [editor, editable]);

  // Server-side changes to `content` replace the document, but never under the user's cursor.
  useEffect(() => {
    if (!editor || editor.isDestroyed) return;
    const incoming = content || "";
    const unechoed = unechoedRef.current;
    const echoed = unechoed.lastIndexOf(incoming);
    if (echoed !== -1) {
      unechoedRef.current = unechoed.slice(echoed + 1);
      if (echoed < unechoed.length - 1) return; // the echo of a save that a newer one replaced
    }
    if (editor.isFocused || incoming === htmlOf(editor)) return;
    // Not an undoable step: Undo must not bring back what the server replaced.
    editor.chain().setMeta("addToHistory", false).setContent(incoming, { emitUpdate: false }).run();
    lastSavedRef.current = htmlOf(editor);
  }, [editor, content]);

  return (
    <div
      id={id}
      className={className ? `tandem-rte ${className}` : "tandem-rte"}
      data-editable={editable ? "true" : "false"}
    >
      <style href="tandem-rte-css" precedence="default">
        {CSS}
      </style>
      {editable && editor && <Toolbar editor={editor} />}
      <EditorContent editor={editor} />
    </div>
  );
}
