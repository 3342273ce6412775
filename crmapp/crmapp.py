"""The Reflex app: pages and their on-load guards."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.api.headers import security_headers
from crmapp.api.media import api as media_api
from crmapp.components.connection import connection_notice
from crmapp.pages import (
    audit,
    auth,
    companies,
    crm,
    dashboard,
    fields,
    imports,
    invite,
    kb,
    not_found,
    pipeline,
    pipelines_admin,
    placeholders,
    proposal,
    proposal_settings,
    proposals,
    public_proposal,
    record,
    settings,
    social_accounts,
    social_calendar,
    social_composer,
    social_connect,
    social_help,
    social_sandbox,
    templates,
    trash,
)
from crmapp.state.audit import AuditState
from crmapp.state.auth import LoginState
from crmapp.state.crm import ContactsState
from crmapp.state.dashboard import DashboardState
from crmapp.state.errors import show_unexpected_error
from crmapp.state.fields import FieldsState
from crmapp.state.imports import ImportState
from crmapp.state.invite import InviteState
from crmapp.state.kb import KnowledgeState
from crmapp.state.lists import CompanyListState, DealListState
from crmapp.state.pipeline import PipelineState
from crmapp.state.pipelines_admin import PipelinesAdminState
from crmapp.state.proposal import ProposalState
from crmapp.state.proposal_settings import ProposalSettingsState
from crmapp.state.proposals import ProposalsState
from crmapp.state.public_proposal import PublicProposalState
from crmapp.state.record import CompanyRecordState, ContactRecordState, DealRecordState
from crmapp.state.session import BROWSER_TZ_COOKIE, SessionState
from crmapp.state.settings import SettingsState
from crmapp.state.social_accounts import SocialAccountsState
from crmapp.state.social_composer import ComposerState
from crmapp.state.social_connect import ConnectCallbackState
from crmapp.state.social_help import HelpState
from crmapp.state.social_queue import QueueState
from crmapp.state.social_sandbox import SandboxFeedState
from crmapp.state.templates import TemplatesState
from crmapp.state.trash import TrashState

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
app.add_page(not_found.not_found_page, route="404", title="Page not found · Tandem")
app.add_page(
    auth.login_page,
    route=routes.LOGIN,
    title="Log in · Tandem",
    on_load=LoginState.redirect_if_signed_in,
)
app.add_page(auth.signup_page, route=routes.SIGNUP, title="Sign up · Tandem")
app.add_page(
    invite.invite_page,
    route=routes.INVITE,
    title="Invitation · Tandem",
    on_load=InviteState.load,
)
app.add_page(
    dashboard.dashboard_page,
    route=routes.DASHBOARD,
    title="Dashboard · Tandem",
    on_load=[guard, DashboardState.load],
)
app.add_page(
    crm.contacts_page,
    route=routes.CONTACTS,
    title="Contacts · Tandem",
    on_load=[guard, ContactsState.load],
)
app.add_page(
    record.contact_record_page,
    route=routes.CONTACT,
    title="Contact · Tandem",
    on_load=[guard, ContactRecordState.load],
)
app.add_page(
    companies.companies_page,
    route=routes.COMPANIES,
    title="Companies · Tandem",
    on_load=[guard, CompanyListState.load],
)
app.add_page(
    record.company_record_page,
    route=routes.COMPANY,
    title="Company · Tandem",
    on_load=[guard, CompanyRecordState.load],
)
app.add_page(
    companies.deals_list_page,
    route=routes.DEALS_LIST,
    title="Deals · Tandem",
    on_load=[guard, DealListState.load],
)
app.add_page(
    record.deal_record_page,
    route=routes.DEAL,
    title="Deal · Tandem",
    on_load=[guard, DealRecordState.load],
)
app.add_page(
    fields.fields_page,
    route=routes.FIELDS,
    title="Custom fields · Tandem",
    on_load=[guard, FieldsState.load],
)
app.add_page(
    pipelines_admin.pipelines_admin_page,
    route=routes.PIPELINES,
    title="Pipelines · Tandem",
    on_load=[guard, PipelinesAdminState.load],
)
app.add_page(
    kb.knowledge_page,
    route=routes.KNOWLEDGE,
    title="Knowledge base · Tandem",
    on_load=[guard, KnowledgeState.load],
)
app.add_page(
    pipeline.pipeline_page,
    route=routes.DEALS,
    title="Deals · Tandem",
    on_load=[guard, PipelineState.load],
)
app.add_page(
    settings.settings_page,
    route=routes.SETTINGS,
    title="Settings · Tandem",
    on_load=[guard, SettingsState.load],
)
app.add_page(
    audit.audit_page,
    route=routes.AUDIT,
    title="Audit trail · Tandem",
    on_load=[guard, AuditState.load],
)
app.add_page(
    imports.import_page,
    route=routes.IMPORT,
    title="Import · Tandem",
    on_load=[guard, ImportState.init],
)
app.add_page(
    trash.trash_page,
    route=routes.TRASH,
    title="Trash · Tandem",
    on_load=[guard, TrashState.load],
)
app.add_page(
    proposals.proposals_page,
    route=routes.PROPOSALS,
    title="Proposals · Tandem",
    on_load=[guard, ProposalsState.load],
)
app.add_page(
    templates.templates_page,
    route=routes.TEMPLATES,
    title="Proposal templates · Tandem",
    on_load=[guard, TemplatesState.load],
)
app.add_page(
    proposal.proposal_page,
    route=routes.PROPOSAL,
    title="Proposal · Tandem",
    on_load=[guard, ProposalState.load],
)
app.add_page(
    proposal_settings.proposal_settings_page,
    route=routes.PROPOSAL_SETTINGS,
    title="Proposals & AI · Tandem",
    on_load=[guard, ProposalSettingsState.load],
)
app.add_page(
    public_proposal.public_proposal_page,
    route=routes.PUBLIC_PROPOSAL,
    title="Proposal",
    on_load=PublicProposalState.load,
)
app.add_page(
    social_composer.composer_page,
    route=routes.SOCIAL_COMPOSER,
    title="Composer · Tandem",
    on_load=[guard, ComposerState.load],
)
app.add_page(
    social_composer.composer_page,
    route=routes.SOCIAL_POST,
    title="Post · Tandem",
    on_load=[guard, ComposerState.load],
)
app.add_page(
    social_calendar.calendar_page,
    route=routes.SOCIAL_CALENDAR,
    title="Calendar · Tandem",
    on_load=[guard, QueueState.load],
)
app.add_page(
    social_accounts.social_accounts_page,
    route=routes.SOCIAL_ACCOUNTS,
    title="Social accounts · Tandem",
    on_load=[guard, SocialAccountsState.load],
)
app.add_page(
    social_connect.connect_callback_page,
    route=routes.SOCIAL_CONNECT_CALLBACK,
    title="Connect an account · Tandem",
    on_load=[guard, ConnectCallbackState.load],
)
app.add_page(
    social_sandbox.sandbox_feed_page,
    route=routes.SOCIAL_SANDBOX,
    title="Sandbox feed · Tandem",
    on_load=[guard, SandboxFeedState.load],
)
app.add_page(
    social_help.social_help_page,
    route=routes.HELP_SOCIAL,
    title="Social settings · Tandem",
    on_load=[guard, HelpState.load],
)
for page, route, title in (
    (placeholders.inbox_page, routes.SOCIAL_INBOX, "Inbox"),
    (placeholders.analytics_page, routes.SOCIAL_ANALYTICS, "Analytics"),
):
    app.add_page(page, route=route, title=f"{title} · Tandem", on_load=guard)
