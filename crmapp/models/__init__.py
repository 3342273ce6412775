"""All tables, imported so that `SQLModel.metadata` knows them (Alembic reads it)."""

from crmapp.models.audit import AuditEvent
from crmapp.models.crm import DEAL_STAGES, Company, Contact, Deal
from crmapp.models.tenancy import (
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    UserSession,
)

__all__ = [
    "DEAL_STAGES",
    "AuditEvent",
    "Company",
    "Contact",
    "Deal",
    "Invitation",
    "Membership",
    "Organization",
    "Role",
    "User",
    "UserSession",
]
