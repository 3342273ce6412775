"""The Reflex app: pages and their on-load guards."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.api.headers import security_headers
from crmapp.api.media import api as media_api
from crmapp.components.connection import connection_notice
from crmapp.pages.crm.companies import companies_page, deals_list_page
from crmapp.pages.crm.contacts import contacts_page
from crmapp.pages.crm.custom_fields import fields_page
from crmapp.pages.crm.dashboard import dashboard_page
from crmapp.pages.crm.imports import import_page
from crmapp.pages.crm.pipeline_admin import pipeline_admin_page
from crmapp.pages.crm.pipeline_board import pipeline_page
from crmapp.pages.crm.record_page import company_record_page, contact_record_page, deal_record_page
from crmapp.pages.crm.trash import trash_page
from crmapp.pages.not_found import not_found_page
from crmapp.pages.placeholders import analytics_page, inbox_page
from crmapp.pages.proposals.editor import proposal_page
from crmapp.pages.proposals.knowledge_base import knowledge_page
from crmapp.pages.proposals.listing import proposals_page
from crmapp.pages.proposals.public_page import public_proposal_page
from crmapp.pages.proposals.settings import proposal_settings_page
from crmapp.pages.proposals.templates import templates_page
from crmapp.pages.social.accounts import social_accounts_page
from crmapp.pages.social.calendar import calendar_page
from crmapp.pages.social.composer import composer_page
from crmapp.pages.social.connect import connect_callback_page
from crmapp.pages.social.sandbox import sandbox_feed_page
from crmapp.pages.social.settings_help import social_help_page
from crmapp.pages.tenancy.audit import audit_page
from crmapp.pages.tenancy.auth import login_page, signup_page
from crmapp.pages.tenancy.invite import invite_page
from crmapp.pages.tenancy.org_settings import settings_page
from crmapp.state.crm.companies import CompanyListState, DealListState
from crmapp.state.crm.contacts import ContactsState
from crmapp.state.crm.custom_fields import FieldsState
from crmapp.state.crm.dashboard import DashboardState
from crmapp.state.crm.imports import ImportState
from crmapp.state.crm.pipeline_admin import PipelinesAdminState
from crmapp.state.crm.pipeline_board import PipelineState
from crmapp.state.crm.record_page import CompanyRecordState, ContactRecordState, DealRecordState
from crmapp.state.crm.trash import TrashState
from crmapp.state.errors import show_unexpected_error
from crmapp.state.proposals.editor import ProposalState
from crmapp.state.proposals.knowledge_base import KnowledgeState
from crmapp.state.proposals.listing import ProposalsState
from crmapp.state.proposals.public_page import PublicProposalState
from crmapp.state.proposals.settings import ProposalSettingsState
from crmapp.state.proposals.templates import TemplatesState
from crmapp.state.session import BROWSER_TZ_COOKIE, SessionState
from crmapp.state.social.accounts import SocialAccountsState
from crmapp.state.social.calendar import QueueState
from crmapp.state.social.composer import ComposerState
from crmapp.state.social.connect import ConnectCallbackState
from crmapp.state.social.sandbox import SandboxFeedState
from crmapp.state.social.settings_help import HelpState
from crmapp.state.tenancy.approvals import ApprovalsState
from crmapp.state.tenancy.audit import AuditState
from crmapp.state.tenancy.auth import LoginState
from crmapp.state.tenancy.invite import InviteState
from crmapp.state.tenancy.org_settings import SettingsState

# Before the app starts, the browser tells the server its IANA time zone (a cookie read by
# SessionState.browser_tz): sign-up offers it, and times not in it say their zone.
BROWSER_TZ_SCRIPT = f"""
if (typeof document !== 'undefined') {{
  try {{
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    if (/^[A-Za-z0-9_+\\/-]{{1,64}}$/.test(zone)) {{
      document.cookie = '{BROWSER_TZ_COOKIE}=' + zone + '; path=/; max-age=31536000; samesite=lax';
    }}
  }} catch (e) {{}}
}}
"""

app = rx.App(
    toaster=rx.toast.provider(position="bottom-right"),
    stylesheets=["/tandem.css"],
    head_components=[
        rx.el.link(rel="icon", href="/favicon.ico", sizes="any"),
        rx.el.script(BROWSER_TZ_SCRIPT),
    ],
    # /api/media/...: library media for networks that fetch by URL; then the security headers
    # around everything the backend serves (the production server's pages included).
    api_transformer=[media_api, security_headers],
    backend_exception_handler=show_unexpected_error,  # a reference, never the exception's text
)
# Reflex's default overlay toasts "Cannot connect to server: … ws://…" at users; ours says
# "Reconnecting…" and nothing while connected.
app.app_wraps[(5, "Overlay")] = lambda stateful: connection_notice() if stateful else None

guard = SessionState.require_login


def index() -> rx.Component:
    """`/` sends the user to the dashboard (or to log in)."""
    return rx.center(rx.spinner(size="3"), height="100vh")


app.add_page(
    index,
    route=routes.HOME,
    title="Tandem",
    on_load=[guard, rx.redirect(routes.DASHBOARD)],
)
app.add_page(not_found_page, route="404", title="Page not found · Tandem")
app.add_page(
    login_page,
    route=routes.LOGIN,
    title="Log in · Tandem",
    on_load=LoginState.redirect_if_signed_in,
)
app.add_page(signup_page, route=routes.SIGNUP, title="Sign up · Tandem")
app.add_page(
    invite_page,
    route=routes.INVITE,
    title="Invitation · Tandem",
    on_load=InviteState.load,
)
app.add_page(
    dashboard_page,
    route=routes.DASHBOARD,
    title="Dashboard · Tandem",
    on_load=[guard, DashboardState.load],
)
app.add_page(
    contacts_page,
    route=routes.CONTACTS,
    title="Contacts · Tandem",
    on_load=[guard, ContactsState.load],
)
app.add_page(
    contact_record_page,
    route=routes.CONTACT,
    title="Contact · Tandem",
    on_load=[guard, ContactRecordState.load],
)
app.add_page(
    companies_page,
    route=routes.COMPANIES,
    title="Companies · Tandem",
    on_load=[guard, CompanyListState.load],
)
app.add_page(
    company_record_page,
    route=routes.COMPANY,
    title="Company · Tandem",
    on_load=[guard, CompanyRecordState.load],
)
app.add_page(
    deals_list_page,
    route=routes.DEALS_LIST,
    title="Deals · Tandem",
    on_load=[guard, DealListState.load],
)
app.add_page(
    deal_record_page,
    route=routes.DEAL,
    title="Deal · Tandem",
    on_load=[guard, DealRecordState.load],
)
app.add_page(
    fields_page,
    route=routes.FIELDS,
    title="Custom fields · Tandem",
    on_load=[guard, FieldsState.load],
)
app.add_page(
    pipeline_admin_page,
    route=routes.PIPELINES,
    title="Pipelines · Tandem",
    on_load=[guard, PipelinesAdminState.load],
)
app.add_page(
    knowledge_page,
    route=routes.KNOWLEDGE,
    title="Knowledge base · Tandem",
    on_load=[guard, KnowledgeState.load],
)
app.add_page(
    pipeline_page,
    route=routes.DEALS,
    title="Deals · Tandem",
    on_load=[guard, PipelineState.load],
)
app.add_page(
    settings_page,
    route=routes.SETTINGS,
    title="Settings · Tandem",
    on_load=[guard, SettingsState.load],
)
app.add_page(
    audit_page,
    route=routes.AUDIT,
    title="Audit trail · Tandem",
    on_load=[guard, AuditState.load],
)
app.add_page(
    import_page,
    route=routes.IMPORT,
    title="Import · Tandem",
    on_load=[guard, ImportState.init],
)
app.add_page(
    trash_page,
    route=routes.TRASH,
    title="Trash · Tandem",
    on_load=[guard, TrashState.load],
)
app.add_page(
    proposals_page,
    route=routes.PROPOSALS,
    title="Proposals · Tandem",
    on_load=[guard, ProposalsState.load],
)
app.add_page(
    templates_page,
    route=routes.TEMPLATES,
    title="Proposal templates · Tandem",
    on_load=[guard, TemplatesState.load],
)
app.add_page(
    proposal_page,
    route=routes.PROPOSAL,
    title="Proposal · Tandem",
    on_load=[guard, ProposalState.load],
)
app.add_page(
    proposal_settings_page,
    route=routes.PROPOSAL_SETTINGS,
    title="Proposals & AI · Tandem",
    on_load=[guard, ProposalSettingsState.load, ApprovalsState.load],
)
app.add_page(
    public_proposal_page,
    route=routes.PUBLIC_PROPOSAL,
    title="Proposal",
    on_load=PublicProposalState.load,
)
app.add_page(
    composer_page,
    route=routes.SOCIAL_COMPOSER,
    title="Composer · Tandem",
    on_load=[guard, ComposerState.load],
)
app.add_page(
    composer_page,
    route=routes.SOCIAL_POST,
    title="Post · Tandem",
    on_load=[guard, ComposerState.load],
)
app.add_page(
    calendar_page,
    route=routes.SOCIAL_CALENDAR,
    title="Calendar · Tandem",
    on_load=[guard, QueueState.load],
)
app.add_page(
    social_accounts_page,
    route=routes.SOCIAL_ACCOUNTS,
    title="Social accounts · Tandem",
    on_load=[guard, SocialAccountsState.load, ApprovalsState.load],
)
app.add_page(
    connect_callback_page,
    route=routes.SOCIAL_CONNECT_CALLBACK,
    title="Connect an account · Tandem",
    on_load=[guard, ConnectCallbackState.load],
)
app.add_page(
    sandbox_feed_page,
    route=routes.SOCIAL_SANDBOX,
    title="Sandbox feed · Tandem",
    on_load=[guard, SandboxFeedState.load],
)
app.add_page(
    social_help_page,
    route=routes.HELP_SOCIAL,
    title="Social settings · Tandem",
    on_load=[guard, HelpState.load],
)
for page, route, title in (
    (inbox_page, routes.SOCIAL_INBOX, "Inbox"),
    (analytics_page, routes.SOCIAL_ANALYTICS, "Analytics"),
):
    app.add_page(page, route=route, title=f"{title} · Tandem", on_load=guard)
