"""Route constants and URL builders (one place, so links never drift)."""

from __future__ import annotations

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
SOCIAL_CONNECT_CALLBACK = "/social/connect/callback"  # = services.social.connect.CALLBACK_PATH
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


def social_post(post_id: object) -> str:
    """The composer page of a saved social post."""
    return f"/social/posts/{post_id}"


def invite_url(base_url: str, token: str) -> str:
    """The absolute link an invitee opens."""
    return f"{base_url.rstrip('/')}/invite/{token}"


def sandbox_feed(account_id: str) -> str:
    """The sandbox feed of one sandbox account."""
    return f"/social/sandbox/{account_id}"
