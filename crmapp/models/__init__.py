"""All tables, imported so that `SQLModel.metadata` knows them (Alembic reads it)."""

from crmapp.models.ai import AIUsage
from crmapp.models.audit import AuditEvent
from crmapp.models.crm import (
    ACTIVITY_KINDS,
    STAGE_KINDS,
    Activity,
    Company,
    Contact,
    Deal,
    Pipeline,
    PipelineStage,
)
from crmapp.models.imports import IMPORT_POLICIES, ImportJob, ImportRejection
from crmapp.models.kb import KBChunk, KBDocument
from crmapp.models.notifications import Notification
from crmapp.models.proposals import (
    Proposal,
    ProposalLink,
    ProposalSignature,
    ProposalTemplate,
    ProposalVersion,
    ProposalView,
)
from crmapp.models.secrets import OrgDataKey
from crmapp.models.social import (
    MediaAsset,
    SocialAccount,
    SocialPost,
    SocialPostComment,
    SocialPostTarget,
)
from crmapp.models.tenancy import (
    Invitation,
    Membership,
    Organization,
    Role,
    TenantRegistry,
    User,
    UserSession,
)
from crmapp.models.views import CUSTOM_FIELD_TYPES, RECORD_ENTITIES, CustomField, SavedView

__all__ = [
    "ACTIVITY_KINDS",
    "CUSTOM_FIELD_TYPES",
    "IMPORT_POLICIES",
    "RECORD_ENTITIES",
    "STAGE_KINDS",
    "AIUsage",
    "Activity",
    "AuditEvent",
    "Company",
    "Contact",
    "CustomField",
    "Deal",
    "ImportJob",
    "ImportRejection",
    "Invitation",
    "KBChunk",
    "KBDocument",
    "MediaAsset",
    "Membership",
    "Notification",
    "OrgDataKey",
    "Organization",
    "Pipeline",
    "PipelineStage",
    "Proposal",
    "ProposalLink",
    "ProposalSignature",
    "ProposalTemplate",
    "ProposalVersion",
    "ProposalView",
    "Role",
    "SavedView",
    "SocialAccount",
    "SocialPost",
    "SocialPostComment",
    "SocialPostTarget",
    "TenantRegistry",
    "User",
    "UserSession",
]
