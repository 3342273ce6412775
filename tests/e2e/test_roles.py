"""A Viewer walks every page and finds nothing they could write with, and polite words where a
page is not for them."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.pages import TIMEOUT, log_in
from tests.e2e.test_layout import main_pages

# Every visible control, with what a person would call it and where it sits.
CONTROLS_JS = """
() => {
  const selector = 'button, input:not([type=hidden]), textarea, select, [role=checkbox],'
    + ' [role=switch], [role=radio], [role=combobox], [role=slider], [contenteditable=""],'
    + ' [contenteditable=true]';
  const out = [];
  for (const el of new Set(document.querySelectorAll(selector))) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('[aria-hidden=true], [inert]')) continue;
    const off = el.disabled || el.readOnly || el.getAttribute('aria-disabled') === 'true'
      || el.hasAttribute('data-disabled') || el.closest('fieldset:disabled') !== null
      || el.getAttribute('contenteditable') === 'false';
    if (off) continue;
    const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
    const name = (el.getAttribute('aria-label') || label || el.innerText || el.placeholder
      || el.title || el.name || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    const scope = el.parentElement ? el.parentElement.closest('[id]') : null;
    out.push({
      id: el.id, name, tag: el.tagName.toLowerCase(), role: el.getAttribute('role') || '',
      link: el.closest('a[href]') !== null, header: el.closest('th') !== null,
      scope: scope ? scope.id : '',
    });
  }
  return out;
}
"""

# Controls that only find, show or download what a Viewer may read, or change their own profile.
READS = [
    (r"^(global-search|search-open|bell|user-menu|nav-menu|org-switcher)$", "the shell"),
    (r"^\w+-(search|views|filter-field|filter-op|filter-value|add-filter|prev|next)$", "lists"),
    (r"^\w+-save-view$", "a saved view is the viewer's own (the matrix allows it)"),
    (r"^export-\w+$", "a CSV download of what they can read"),
    (r"^(owner-filter|pipeline-choice|status-filter|social-queue-filter)$", "filters"),
    (r"^(kb-query|kb-search|download-pdf)$", "reading the knowledge base, a proposal's PDF"),
    (r"^social-tab-\w+$", "previews of a post per network"),
    (r"^(profile-name|profile-timezone|profile-save|current_password|new_password)$", "profile"),
    (r"^password-save$", "their own password"),
    # Review comments: README says Viewers may comment on a post (issue 11, item 31).
    (r"^social-comment-(network|body|send)$", "a review comment"),
]
READ_SCOPES = {"fields-entity": "which record type's fields are listed"}


def is_read(control: dict) -> bool:
    """Whether a control only reads (see READS)."""
    if control["link"] or control["header"]:  # a link styled as a button; a column's sort
        return True
    if control["scope"] in READ_SCOPES:
        return True
    return any(re.search(pattern, control["id"]) for pattern, _why in READS)


def write_controls(page: Page) -> list[str]:
    """Enabled controls on the page that would write."""
    found = page.evaluate(CONTROLS_JS)
    return [f"{c['tag']}#{c['id']} {c['name']!r}" for c in found if not is_read(c)]


def test_a_viewer_finds_no_enabled_write_control_on_any_page(browser, app_url):
    owner = factories.signup("Look Only Ltd", "lookowner")
    ws = factories.workspace(owner)
    viewer = factories.member(owner, "viewer", "victor")
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    log_in(page, app_url, viewer.email, factories.PASSWORD)
    expect(page.locator("#dashboard-title")).to_be_visible(timeout=TIMEOUT)

    extra = [
        ("/settings/fields", "#fields-entity"),
        ("/settings/pipelines", "#page-title"),
        ("/settings/proposals", "#page-title"),
        (f"/social/sandbox/{ws.account_id}", "#sandbox-banner"),
        ("/social/inbox", "#page-title"),
        ("/social/analytics", "#page-title"),
    ]
    not_for_viewers = {"/settings/audit", "/crm/import", "/settings/trash"}
    problems: dict[str, list[str]] = {}
    for path, loaded in main_pages(ws) + extra:
        if path in not_for_viewers:
            continue
        page.goto(f"{app_url}{path}")
        expect(page.locator(loaded).first).to_be_attached(timeout=TIMEOUT)
        if path.startswith("/crm/contacts") or path.startswith("/crm/companies"):
            expect(page.locator(".contact-row, .company-row, #record-details").first).to_be_visible(
                timeout=TIMEOUT
            )
        page.wait_for_load_state("networkidle")
        if found := write_controls(page):
            problems[path] = found
        expect(page.get_by_text(re.compile("error occurred", re.I))).to_have_count(0)
    assert problems == {}, "enabled write controls a Viewer can use:\n" + "\n".join(
        f"  {path}: {found}" for path, found in problems.items()
    )

    for path, says in (
        ("/settings/audit", "Admins and Owners"),
        ("/crm/import", "Members"),
        ("/settings/trash", "Admins and Owners"),
    ):
        page.goto(f"{app_url}{path}")
        notice = page.locator("#no-access")
        expect(notice).to_contain_text(says, timeout=TIMEOUT)
        expect(page.locator("[role=alert], .rt-CalloutRoot[data-accent-color=red]")).to_have_count(
            0
        )
        assert write_controls(page) == [], f"{path} offers controls a Viewer cannot use"
    page.context.close()
