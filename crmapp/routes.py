"""Route constants and URL builders: the one place an app path is written, so links never
drift (`tests/unit/test_routes.py` finds any path literal elsewhere).

A builder takes an id (a string, a UUID) or, on a page, a Var holding one: the link is then a Var
the browser completes.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

HOME = "/"
LOGIN = "/login"
SIGNUP = "/signup"
DASHBOARD = "/dashboard"
CONTACTS = "/crm/contacts"
CONTACT = "/crm/contacts/[contact_id]"
IMPORT = "/crm/import"
COMPANIES = "/crm/companies"
COMPANY = "/crm/companies/[company_id]"
DEALS = "/crm/deals"
DEALS_LIST = "/crm/deals/list"
DEAL = "/crm/deals/[deal_id]"
PROPOSALS = "/proposals"
KNOWLEDGE = "/proposals/knowledge"
TEMPLATES = "/proposals/templates"
PROPOSAL = "/proposals/[proposal_id]"
PUBLIC_PROPOSAL = "/p/[token]"
PROPOSAL_SETTINGS = "/settings/proposals"
SOCIAL_COMPOSER = "/social/composer"
SOCIAL_POST = "/social/posts/[post_id]"
SOCIAL_CALENDAR = "/social/calendar"
SOCIAL_INBOX = "/social/inbox"
SOCIAL_ANALYTICS = "/social/analytics"
SOCIAL_ACCOUNTS = "/social/accounts"
SOCIAL_CONNECT_CALLBACK = "/social/connect/callback"  # registered with each network
SOCIAL_SANDBOX = "/social/sandbox/[account_id]"
HELP_SOCIAL = "/help/social-settings"  # the README's social settings, for administrators
SETTINGS = "/settings"
AUDIT = "/settings/audit"
TRASH = "/settings/trash"
FIELDS = "/settings/fields"
PIPELINES = "/settings/pipelines"
INVITE = "/invite/[invite_token]"


def login_with_next(path: str, query: str = "") -> str:
    """The login URL that comes back to `path` (with its `query`, e.g. an OAuth callback's code
    and state) afterwards."""
    if not path or path.startswith(LOGIN) or not path.startswith("/"):
        return LOGIN
    path = path.rstrip("/") or HOME
    if query:
        path = f"{path}?{query}"
    return f"{LOGIN}?next={quote(path, safe='/')}"


def safe_next(path: str | None) -> str:
    """A same-site path to go to after login (never an absolute URL elsewhere)."""
    if not path or not path.startswith("/") or path.startswith("//"):
        return DASHBOARD
    return path


def _join(prefix: str, ident: Any) -> str:
    if isinstance(ident, (str, uuid.UUID, int)):
        return f"{prefix}{ident}"
    return prefix + ident  # a page's Var: the result is a Var too


def _fill(route: str, ident: Any) -> str:
    """`route` with its one dynamic segment (`/[name]`, always the last) set to `ident`."""
    return _join(route[: route.index("[")], ident)


def contact(contact_id: Any) -> str:
    """A contact's page."""
    return _fill(CONTACT, contact_id)


def company(company_id: Any) -> str:
    """A company's page."""
    return _fill(COMPANY, company_id)


def deal(deal_id: Any) -> str:
    """A deal's page."""
    return _fill(DEAL, deal_id)


RECORD_PAGES = {"contact": CONTACT, "company": COMPANY, "deal": DEAL}


def record(kind: str, record_id: Any) -> str:
    """The page of a contact, company or deal (`kind`)."""
    return _fill(RECORD_PAGES[kind], record_id)


def proposal(proposal_id: Any) -> str:
    """A proposal's editor."""
    return _fill(PROPOSAL, proposal_id)


def new_proposal_for(deal_id: Any) -> str:
    """The proposals page with the new-proposal dialog open for a deal."""
    return _join(f"{PROPOSALS}?deal=", deal_id)


def public_proposal(token: str) -> str:
    """The path a client opens to read a sent proposal (no login)."""
    return _fill(PUBLIC_PROPOSAL, token)


def social_post(post_id: Any) -> str:
    """The composer page of a saved social post."""
    return _fill(SOCIAL_POST, post_id)


def sandbox_feed(account_id: Any) -> str:
    """The sandbox feed of one sandbox account."""
    return _fill(SOCIAL_SANDBOX, account_id)


def invite(token: str) -> str:
    """The path an invitee opens."""
    return _fill(INVITE, token)


def invite_url(base_url: str, token: str) -> str:
    """The absolute link an invitee opens."""
    return base_url.rstrip("/") + invite(token)
