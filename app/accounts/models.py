"""Accounts: users hold one or more roles; nothing here is ever deleted, only deactivated."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.db import Base, enum_column
from app.core.words import N_


class Role(enum.StrEnum):
    AGENT = "agent"
    REVIEWER = "reviewer"
    SIGNOFF = "signoff"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "agent": N_("Agent"),
            "reviewer": N_("Reviewer"),
            "signoff": N_("Sign-off (legal/PR)"),
            "admin": N_("Admin"),
        }[self.value]


def _login_id() -> str:
    return secrets.token_urlsafe(24)


class TokenScope(enum.StrEnum):
    """What an API token may do, each including the one before; the user's role still
    applies on top (a token never grants more than its user)."""

    READ = "read"
    DRAFT = "draft"
    ACT = "act"

    @property
    def label(self) -> str:
        return {
            "read": N_("Read: complaints, drafts and analyses (GET only)"),
            "draft": N_("Draft: read, add complaints, write and tone-check drafts"),
            "act": N_("Act: everything your role allows, workflow steps included"),
        }[self.value]

    def allows(self, needed: TokenScope) -> bool:
        order = list(TokenScope)
        return order.index(self) >= order.index(needed)


class LinkPurpose(enum.StrEnum):
    """What a one-time link (an `Invitation` row) is for."""

    INVITE = "invite"
    RESET = "reset"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased; unique across active and deactivated users.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Argon2id hash; empty until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: What the session cookie carries instead of the id: rotating it (password change,
    #: deactivation) signs the user out everywhere.
    login_id: Mapped[str] = mapped_column(String(64), unique=True, default=_login_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The languages this person reads (ISO 639-1 codes, "fr"), set on their profile or by
    #: an admin. None listed means none known: they do not approve a reply to a complaint
    #: Composure could not read (app/drafts/guards.ReadsTheLanguage).
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    #: The screens' language ("nl", one of config's SUPPORTED_LOCALES); None: the
    #: browser's Accept-Language chooses (app/web/language.py).
    language: Mapped[str | None] = mapped_column(String(16))
    #: The IANA zone every time is shown in ("Europe/Riga"); None: DISPLAY_TIMEZONE.
    time_zone: Mapped[str | None] = mapped_column(String(64))

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    membership_rows: Mapped[list[GroupMembership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("active OR deactivated_at IS NOT NULL", name="deactivated_has_time"),
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    @property
    def groups(self) -> frozenset[str]:
        """The sign-off groups this person belongs to (keys: "legal", "pr", …)."""
        return frozenset(row.group_key for row in self.membership_rows)

    def set_roles(self, roles: set[Role]) -> None:
        keep = [row for row in self.role_rows if row.role in roles]
        have = {row.role for row in keep}
        self.role_rows = keep + [UserRole(role=role) for role in sorted(roles - have)]

    def set_groups(self, groups: set[str]) -> None:
        keep = [row for row in self.membership_rows if row.group_key in groups]
        have = {row.group_key for row in keep}
        self.membership_rows = keep + [
            GroupMembership(group_key=key) for key in sorted(groups - have)
        ]

    def rotate_login_id(self) -> None:
        self.login_id = _login_id()

    # Flask-Login's protocol, written out so this module needs no Flask import.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    #: The `UserSession` this request is signed in with (set by the user loader and at
    #: sign-in; never stored on the row). The cookies carry its key, not the user's.
    signed_in = None  # UserSession | None; a plain attribute, not a column

    def get_id(self) -> str:
        if self.signed_in is None:
            raise RuntimeError("sign in through operations.start_session, not login_user alone")
        return self.signed_in.key

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class Group(Base):
    """A sign-off group: legal and PR to start with, and whatever an admin defines. A
    sign-off counts for a group only when its signer is a member (PRODUCT.md "Sign-off
    groups are separate")."""

    __tablename__ = "signoff_groups"

    #: Short and stable: what policies and sign-offs refer to ("legal", "pr", "privacy").
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "length(key) BETWEEN 2 AND 40 AND key = lower(key) AND key <> 'none'",
            name="key_shape",
        ),
    )


#: The sign-off groups every database starts with (migration 0005), and their names: while
#: the admins keep these names, they are the product's words, said in the reader's language.
BUILT_IN_GROUPS = {"legal": N_("Legal"), "pr": N_("PR")}


def group_word(key: str, name: str | None, translate: Callable[[str], str]) -> str:
    """A sign-off group's name for a reader: a built-in group's name in their language
    (`translate`: the web layer's gettext); a group the admins named or renamed as they did."""
    name = name or BUILT_IN_GROUPS.get(key, key)
    return translate(name) if BUILT_IN_GROUPS.get(key) == name else name


class GroupMembership(Base):
    __tablename__ = "group_memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    group_key: Mapped[str] = mapped_column(ForeignKey("signoff_groups.key"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="membership_rows")


class AccessChangeStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  #: withdrawn by whoever asked, or replaced by a newer request


class AccessChange(Base):
    """Roles or sign-off groups an admin wants to give someone, which would let them approve
    or sign off, waiting for a second admin's confirmation (`app.accounts.grants`)."""

    __tablename__ = "access_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: What is to be added: role values and group keys. Removals never wait.
    add_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    add_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[AccessChangeStatus] = mapped_column(
        enum_column(AccessChangeStatus, "access_change_status"),
        default=AccessChangeStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_has_time"),
        CheckConstraint(
            "status IN ('pending', 'cancelled') OR decided_by_id <> requested_by_id",
            name="second_admin",
        ),
        # One request waiting per person: a newer one replaces it.
        Index(
            "uq_access_changes_pending_per_user",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )


class Invitation(Base):
    """A one-time link an admin hands to a new colleague to set their password."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: SHA-256 of the secret in the link; the secret itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: An invitation sets a first password; a reset link (issued by an admin) a new one.
    purpose: Mapped[LinkPurpose] = mapped_column(
        enum_column(LinkPurpose, "link_purpose"), default=LinkPurpose.INVITE
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    #: The first characters of the token, to recognise it in lists ("cmp_ab12…").
    prefix: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the whole token: tokens are long random strings, so a fast hash suffices.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: Read, draft or act; tokens made before scopes existed keep "act".
    scope: Mapped[TokenScope] = mapped_column(
        enum_column(TokenScope, "token_scope"), default=TokenScope.ACT
    )
    #: Chosen at creation, at most a year away; an expired token answers 401.
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_creation"),)

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now


class UserSession(Base):
    """One signed-in browser. The session and remember-me cookies carry `key`; signing out
    revokes this row only, a password change or reset revokes all of the user's."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random, unguessable; what the cookies carry instead of the user's id.
    key: Mapped[str] = mapped_column(String(64), unique=True, default=_login_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Updated at most once a minute; a session idle longer than the remember period ends.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: "Firefox on Linux"-like summary, to recognise one's devices.
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """Failed sign-ins counted per source: one row per remote address and one per address
    and e-mail pair. Counted with one atomic upsert before the password is checked."""

    __tablename__ = "login_throttles"

    #: "addr:203.0.113.7" or "pair:203.0.113.7 agent@example.com".
    key: Mapped[str] = mapped_column(String(330), primary_key=True)
    #: Attempts not yet proven right in the current window (each is counted before the
    #: password check and given back when the password was right).
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]
    #: Refused until then; each lock-out of the same source lasts twice the one before.
    locked_until: Mapped[datetime | None]
    lockouts: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        CheckConstraint("failures >= 0", name="failures_not_negative"),
        CheckConstraint("lockouts >= 0", name="lockouts_not_negative"),
    )


class LoginAttempt(Base):
    """Every login attempt, kept for throttling and for the security trail."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool]
    at: Mapped[datetime]

    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_remote_addr_at", "remote_addr", "at"),
    )
