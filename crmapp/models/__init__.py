"""All tables, imported so that `SQLModel.metadata` knows them (Alembic reads it)."""

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
from crmapp.models.tenancy import (
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    UserSession,
)

__all__ = [
    "ACTIVITY_KINDS",
    "IMPORT_POLICIES",
    "STAGE_KINDS",
    "Activity",
    "AuditEvent",
    "Company",
    "Contact",
    "Deal",
    "ImportJob",
    "ImportRejection",
    "Invitation",
    "Membership",
    "Organization",
    "Pipeline",
    "PipelineStage",
    "Role",
    "User",
    "UserSession",
]
