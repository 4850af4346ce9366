"""Operations on accounts. Each takes the session, the actor and the time; each audits itself.

The caller commits (one commit per request or CLI command).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import grants, passwords, permissions, throttle
from app.accounts.models import ApiToken, Invitation, Role, User
from app.audit import log as audit

TOKEN_PREFIX = "cmp_"  # noqa: S105  (a marker that makes leaked tokens greppable)
INVITATION_LIFETIME = timedelta(days=7)


class AccountError(ValueError):
    """A refused account operation; the message is meant for the person who tried."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """The canonical, lower-cased address, or AccountError saying what is wrong with it."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(str(exc), field="email") from exc
    return result.normalized.lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    roles: set[Role],
    password: str | None,
    actor: User | None,
    now: datetime,
    groups: set[str] = frozenset(),
) -> User:
    """An account with these roles and sign-off groups at once: for the server's operator
    (CLI), the demo and tests. Admins on screen go through `invite_user`, where powers wait
    for a second admin."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise AccountError("A name is required.", field="name")
    if find_user(session, email):
        raise AccountError(f"A user with the e-mail {email} already exists.", field="email")
    password_hash = None
    if password is not None:
        problem = passwords.password_problem(password)
        if problem:
            raise AccountError(problem, field="password")
        password_hash = passwords.hash_password(password)
    user = User(
        email=email,
        name=name[:120],
        password_hash=password_hash,
        created_at=now,
        invited_by_id=actor.id if actor else None,
    )
    user.set_roles(set(roles))
    unknown = set(groups) - set(grants.group_names(session))
    if unknown:
        raise AccountError(f"No such sign-off group: {', '.join(sorted(unknown))}.", field="groups")
    user.set_groups(set(groups))
    session.add(user)
    session.flush()
    audit.record(
        session,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        actor_id=actor.id if actor else None,
        now=now,
        details={
            "email": email,
            "roles": sorted(r.value for r in roles),
            **({"groups": sorted(groups)} if groups else {}),
        },
    )
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str | None = None


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    remote_addr: str,
    policy: throttle.ThrottlePolicy,
    now: datetime,
) -> LoginResult:
    """Check credentials under the throttle; every attempt is recorded."""
    email_key = email.strip().lower()[:254]
    verdict = throttle.check(session, email_key, remote_addr, policy=policy, now=now)
    if not verdict.allowed:
        return LoginResult(
            None, f"Too many failed attempts. Try again in {verdict.retry_after_minutes} minute(s)."
        )
    user = find_user(session, email_key)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if ok and user is not None and not user.active:
        ok = False
    throttle.note_attempt(session, email_key, remote_addr, succeeded=ok, now=now)
    if not ok or user is None:
        return LoginResult(None, "E-mail or password is not right, or the account is inactive.")
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = now
    return LoginResult(user)


def invite_user(
    session: Session,
    *,
    email: str,
    name: str,
    roles: set[Role],
    actor: User,
    now: datetime,
    groups: set[str] | None = None,
) -> tuple[User, str, grants.Outcome]:
    """Create an account without a password and return it with the one-time invitation
    secret. Roles and groups that let someone approve or sign off wait for a second admin,
    as for an existing colleague: an invitation link is also a way to an account."""
    if not permissions.can(actor, permissions.Permission.MANAGE_USERS):
        raise AccountError("Only admins invite people.")
    if not roles:
        raise AccountError("Choose at least one role.", field="roles")
    user = create_user(
        session, email=email, name=name, roles=set(), password=None, actor=actor, now=now
    )
    try:
        outcome = grants.change_access(
            session, target=user, roles=roles, groups=groups or set(), actor=actor, now=now
        )
    except grants.GrantError as error:
        raise AccountError(str(error), field=error.field) from error
    secret = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            user_id=user.id,
            token_hash=_sha256(secret),
            created_by_id=actor.id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
    )
    audit.record(
        session,
        action="user.invited",
        entity_type="user",
        entity_id=user.id,
        actor_id=actor.id,
        now=now,
    )
    return user, secret, outcome


def find_invitation(session: Session, secret: str, *, now: datetime) -> Invitation | None:
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == _sha256(secret)))
    if (
        invitation is None
        or invitation.accepted_at
        or invitation.revoked_at
        or invitation.expires_at <= now
        or not invitation.user.active
    ):
        return None
    return invitation


def accept_invitation(session: Session, *, secret: str, password: str, now: datetime) -> User:
    invitation = find_invitation(session, secret, now=now)
    if invitation is None:
        raise AccountError(
            "This invitation link is not valid any more. Ask an admin for a new one."
        )
    problem = passwords.password_problem(password)
    if problem:
        raise AccountError(problem, field="password")
    user = invitation.user
    user.password_hash = passwords.hash_password(password)
    user.rotate_login_id()
    invitation.accepted_at = now
    audit.record(
        session,
        action="user.invitation_accepted",
        entity_type="user",
        entity_id=user.id,
        actor_id=user.id,
        now=now,
    )
    return user


def deactivate(session: Session, *, target: User, actor: User, now: datetime) -> None:
    refusal = permissions.can_deactivate(actor, target, grants.active_admin_count(session))
    if refusal:
        raise AccountError(refusal)
    if not target.active:
        return
    target.active = False
    target.deactivated_at = now
    target.rotate_login_id()  # signs them out everywhere
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == target.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    audit.record(
        session,
        action="user.deactivated",
        entity_type="user",
        entity_id=target.id,
        actor_id=actor.id,
        now=now,
        from_state="active",
        to_state="inactive",
    )


def reactivate(session: Session, *, target: User, actor: User, now: datetime) -> None:
    if not permissions.can(actor, permissions.Permission.MANAGE_USERS):
        raise AccountError("Only admins reactivate accounts.")
    if target.active:
        return
    target.active = True
    target.deactivated_at = None
    audit.record(
        session,
        action="user.reactivated",
        entity_type="user",
        entity_id=target.id,
        actor_id=actor.id,
        now=now,
        from_state="inactive",
        to_state="active",
    )


def set_password(
    session: Session, *, target: User, password: str, actor: User | None, now: datetime
) -> None:
    problem = passwords.password_problem(password)
    if problem:
        raise AccountError(problem, field="password")
    target.password_hash = passwords.hash_password(password)
    target.rotate_login_id()
    audit.record(
        session,
        action="user.password_set",
        entity_type="user",
        entity_id=target.id,
        actor_id=actor.id if actor else None,
        now=now,
    )


def create_api_token(
    session: Session, *, user: User, name: str, actor: User | None, now: datetime
) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the secret is returned once and only its hash is kept."""
    if not user.active:
        raise AccountError("Inactive accounts cannot have API tokens.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:120],
        prefix=secret[:12],
        token_hash=_sha256(secret),
        created_at=now,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        action="api_token.created",
        entity_type="api_token",
        entity_id=token.id,
        actor_id=actor.id if actor else None,
        now=now,
        details={"user_id": user.id, "prefix": token.prefix},
    )
    return token, secret


def user_for_token(session: Session, secret: str, *, now: datetime) -> User | None:
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    # Written at most once a minute, so reads stay cheap.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token.user
