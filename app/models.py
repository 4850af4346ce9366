"""Every mapped class, imported once so Alembic and `create_all` see the whole schema."""

from app.accounts.models import (
    AccessChange,
    AccessChangeStatus,
    ApiToken,
    Group,
    GroupMembership,
    Invitation,
    LoginAttempt,
    Role,
    User,
    UserRole,
)
from app.audit.models import AuditCheckpoint, AuditEvent
from app.complaints.models import (
    Case,
    CaseNote,
    Channel,
    Complaint,
    ComplaintFlag,
    ComplaintStatus,
    ImportedReply,
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
    WorkingCopy,
)
from app.live.models import Presence
from app.notifications.models import Notification
from app.serving.models import RateLimitCounter
from app.settings.models import Setting

__all__ = [
    "AccessChange",
    "AccessChangeStatus",
    "ApiToken",
    "AuditCheckpoint",
    "AuditEvent",
    "Base",
    "Case",
    "CaseNote",
    "Channel",
    "Complaint",
    "ComplaintFlag",
    "ComplaintStatus",
    "Draft",
    "DraftState",
    "FollowUp",
    "Group",
    "GroupMembership",
    "ImportedReply",
    "ImportFormat",
    "ImportJob",
    "ImportRowIssue",
    "ImportStatus",
    "Invitation",
    "LoginAttempt",
    "Notification",
    "Presence",
    "Publication",
    "PublicationStatus",
    "RateLimitCounter",
    "Review",
    "ReviewDecision",
    "Revision",
    "Role",
    "Setting",
    "SignOff",
    "SignOffGroup",
    "User",
    "UserRole",
    "WorkingCopy",
]
