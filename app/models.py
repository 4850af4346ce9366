"""Every mapped class, imported once so Alembic and `create_all` see the whole schema."""

from app.accounts.models import ApiToken, Invitation, LoginAttempt, Role, User, UserRole
from app.audit.models import AuditCheckpoint, AuditEvent
from app.complaints.models import (
    Channel,
    Complaint,
    ComplaintFlag,
    ComplaintStatus,
    ImportFormat,
    ImportJob,
    ImportRowIssue,
    ImportStatus,
)
from app.core.db import Base
from app.drafts.models import (
    Draft,
    DraftState,
    FollowUp,
    Publication,
    PublicationStatus,
    Review,
    ReviewDecision,
    Revision,
    SignOff,
    SignOffGroup,
)
from app.settings.models import Notification, Setting

__all__ = [
    "ApiToken",
    "AuditCheckpoint",
    "AuditEvent",
    "Base",
    "Channel",
    "Complaint",
    "ComplaintFlag",
    "ComplaintStatus",
    "Draft",
    "DraftState",
    "FollowUp",
    "ImportFormat",
    "ImportJob",
    "ImportRowIssue",
    "ImportStatus",
    "Invitation",
    "LoginAttempt",
    "Notification",
    "Publication",
    "PublicationStatus",
    "Review",
    "ReviewDecision",
    "Revision",
    "Role",
    "Setting",
    "SignOff",
    "SignOffGroup",
    "User",
    "UserRole",
]
