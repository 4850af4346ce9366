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
    Channel,
    Complaint,
    ComplaintFlag,
    ComplaintStatus,
    ComplaintTag,
    ImportFormat,
    ImportJob,
    ImportRowIssue,
    ImportStatus,
    SavedFilter,
    Tag,
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
    "Channel",
    "Complaint",
    "ComplaintFlag",
    "ComplaintStatus",
    "ComplaintTag",
    "Draft",
    "DraftState",
    "FollowUp",
    "Group",
    "GroupMembership",
    "ImportFormat",
    "ImportJob",
    "ImportRowIssue",
    "ImportStatus",
    "Invitation",
    "LoginAttempt",
    "Notification",
    "Publication",
    "PublicationStatus",
    "RateLimitCounter",
    "Review",
    "ReviewDecision",
    "Revision",
    "Role",
    "SavedFilter",
    "Setting",
    "SignOff",
    "SignOffGroup",
    "Tag",
    "User",
    "UserRole",
]
