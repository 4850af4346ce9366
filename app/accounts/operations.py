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
from sqlalchemy.orm import Session, joinedload

from app.accounts import grants, passwords, permissions, throttle
from app.accounts.models import (
    ApiToken,
    Invitation,
    LinkPurpose,
    Role,
    TokenScope,
    User,
    UserSession,
)
from app.audit import log as audit
from app.core.durations import plural
from app.core.errors import InvalidInput
from app.core.words import N_
from app.nlp.detection import LANGUAGE_NAMES

TOKEN_PREFIX = "cmp_"  # noqa: S105  (a marker that makes leaked tokens greppable)
INVITATION_LIFETIME = timedelta(days=7)
#: A password reset link works for a day, once.
RESET_LIFETIME = timedelta(days=1)
DEFAULT_TOKEN_LIFETIME = timedelta(days=90)
MAX_TOKEN_LIFETIME = timedelta(days=365)


class AccountError(InvalidInput):
    """A refused account operation; the message is meant for the person who tried."""


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
        raise AccountError(N_("A name is required."), field="name")
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
    #: Refused by the throttle (the view answers 429 rather than 401).
    throttled: bool = False


def begin_sign_in(
    session: Session,
    *,
    email: str,
    remote_addr: str,
    policy: throttle.ThrottlePolicy,
    now: datetime,
) -> throttle.Verdict:
    """Count a sign-in attempt against its source before any password is checked.

    The caller commits before `finish_sign_in`, so concurrent guesses see each other's
    counts (issue 13): this is the one place where a request commits twice."""
    return throttle.charge(session, _email_key(email), remote_addr, policy=policy, now=now)


def finish_sign_in(
    session: Session,
    verdict: throttle.Verdict,
    *,
    email: str,
    password: str,
    remote_addr: str,
    policy: throttle.ThrottlePolicy,
    now: datetime,
) -> LoginResult:
    """Check the credentials of an attempt `begin_sign_in` let through; every attempt is
    recorded, a lock-out is audited."""
    email_key = _email_key(email)
    if not verdict.allowed:
        throttle.note_attempt(session, email_key, remote_addr, succeeded=False, now=now)
        return LoginResult(
            None,
            "Too many failed attempts. Try again in "
            f"{plural(verdict.retry_after_minutes, 'minute')}.",
            throttled=True,
        )
    user = find_user(session, email_key)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if ok and user is not None and not user.active:
        ok = False
    throttle.note_attempt(session, email_key, remote_addr, succeeded=ok, now=now)
    if not ok or user is None:
        for key, length in throttle.note_failure(session, verdict.source, policy=policy, now=now):
            audit.record(
                session,
                action="login.throttled",
                entity_type="user" if user else "login",
                entity_id=user.id if user else None,
                actor_id=None,
                now=now,
                details={
                    "source": key.split(":", 1)[0],
                    "remote_addr": remote_addr[:64],
                    "email": email_key,
                    "locked_minutes": int(length.total_seconds() // 60),
                },
            )
        return LoginResult(None, "E-mail or password is not right, or the account is inactive.")
    throttle.note_success(session, verdict.source)
    if passwords.needs_rehash(user.password_hash or ""):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = now
    return LoginResult(user)


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    remote_addr: str,
    policy: throttle.ThrottlePolicy,
    now: datetime,
) -> LoginResult:
    """Both steps in one transaction, for callers with no concurrency to fear (tests,
    scripts). The sign-in page commits between them."""
    verdict = begin_sign_in(session, email=email, remote_addr=remote_addr, policy=policy, now=now)
    return finish_sign_in(
        session,
        verdict,
        email=email,
        password=password,
        remote_addr=remote_addr,
        policy=policy,
        now=now,
    )


def _email_key(email: str) -> str:
    return email.strip().lower()[:254]


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
        raise AccountError(N_("Only admins invite people."))
    if not roles:
        raise AccountError(N_("Choose at least one role."), field="roles")
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


#: Why a one-time link no longer works, and the audit action its use records, by purpose.
_LINK_USE = {
    LinkPurpose.INVITE: (
        "This invitation link is not valid any more. Ask an admin for a new one.",
        "user.invitation_accepted",
    ),
    LinkPurpose.RESET: (
        "This reset link is not valid any more. Ask an admin for a new one.",
        "user.password_reset",
    ),
}


def find_link(
    session: Session, secret: str, *, purpose: LinkPurpose, now: datetime
) -> Invitation | None:
    """The one-time link for `secret`, if it is for `purpose` and still works."""
    link = session.scalar(select(Invitation).where(Invitation.token_hash == _sha256(secret)))
    if (
        link is None
        or link.purpose != purpose
        or link.accepted_at
        or link.revoked_at
        or link.expires_at <= now
        or not link.user.active
    ):
        return None
    return link


def set_password_by_link(
    session: Session, *, secret: str, purpose: LinkPurpose, password: str, now: datetime
) -> User:
    """Use a one-time link: an invited person's first password, or a reset, which also ends
    every session and token of the person."""
    invalid, action = _LINK_USE[purpose]
    link = find_link(session, secret, purpose=purpose, now=now)
    if link is None:
        raise AccountError(invalid)
    problem = passwords.password_problem(password)
    if problem:
        raise AccountError(problem, field="password")
    user = link.user
    user.password_hash = passwords.hash_password(password)
    user.rotate_login_id()
    link.accepted_at = now
    details = None
    if purpose is LinkPurpose.RESET:
        details = {
            "sessions_ended": revoke_sessions(session, user=user, now=now),
            "tokens_revoked": revoke_api_tokens(session, user=user, now=now),
        }
    audit.record(
        session,
        action=action,
        entity_type="user",
        entity_id=user.id,
        actor_id=user.id,
        now=now,
        details=details,
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
    target.rotate_login_id()
    revoke_sessions(session, user=target, now=now)  # signs them out everywhere
    revoke_api_tokens(session, user=target, now=now)
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


def set_languages(
    session: Session, *, target: User, languages: list[str], actor: User, now: datetime
) -> list[str]:
    """The languages `target` reads, set by themselves or by an admin; audited. Unknown
    codes raise AccountError. Returns the languages kept, sorted."""
    if actor.id != target.id and not permissions.can(actor, permissions.Permission.MANAGE_USERS):
        raise AccountError(N_("Only admins set another person's languages."))
    chosen = sorted({code.strip().lower() for code in languages if code.strip()})
    unknown = [code for code in chosen if code not in LANGUAGE_NAMES]
    if unknown:
        raise AccountError(f"Unknown language: {', '.join(unknown)}.")
    before = sorted(target.languages or [])
    if chosen != before:
        target.languages = chosen
        session.flush()
        audit.record(
            session,
            action="user.languages_set",
            entity_type="user",
            entity_id=target.id,
            actor_id=actor.id,
            now=now,
            details={"before": before, "after": chosen},
        )
    return chosen


def reactivate(session: Session, *, target: User, actor: User, now: datetime) -> None:
    if not permissions.can(actor, permissions.Permission.MANAGE_USERS):
        raise AccountError(N_("Only admins reactivate accounts."))
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


def create_api_token(
    session: Session,
    *,
    user: User,
    name: str,
    actor: User | None,
    now: datetime,
    scope: TokenScope = TokenScope.ACT,
    expires_in: timedelta = DEFAULT_TOKEN_LIFETIME,
) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; the secret is returned once and only its hash is kept."""
    if not user.active:
        raise AccountError(N_("Inactive accounts cannot have API tokens."))
    if actor is not None and actor.id != user.id:
        raise AccountError(N_("People create their own API tokens."))
    if expires_in > MAX_TOKEN_LIFETIME:
        raise AccountError(
            N_("A token lives at most a year; choose a shorter time."), field="expires"
        )
    if expires_in < timedelta(days=1):
        raise AccountError(N_("A token lives at least a day."), field="expires")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:120],
        prefix=secret[:12],
        token_hash=_sha256(secret),
        created_at=now,
        scope=TokenScope(scope),
        expires_at=now + expires_in,
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
        details={
            "user_id": user.id,
            "prefix": token.prefix,
            "name": token.name,
            "scope": token.scope.value,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, secret


@dataclass(frozen=True)
class TokenCheck:
    """A bearer token as presented: the token when it is good, else why not."""

    token: ApiToken | None
    problem: str | None = None


def check_api_token(session: Session, secret: str, *, now: datetime) -> TokenCheck:
    unknown = TokenCheck(None, None)
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return unknown
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return unknown
    if token.is_expired(now):
        return TokenCheck(
            None,
            f"This API token ({token.prefix}…) expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; "
            "create a new one under your account's API tokens.",
        )
    # Written at most once a minute, so reads stay cheap.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return TokenCheck(token)


def user_for_token(session: Session, secret: str, *, now: datetime) -> User | None:
    token = check_api_token(session, secret, now=now).token
    return token.user if token else None


def api_tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def live_token_count(session: Session, user: User, *, now: datetime) -> int:
    """How many of the user's tokens still work (neither revoked nor expired)."""
    return sum(
        1
        for token in api_tokens_of(session, user)
        if token.revoked_at is None and not token.is_expired(now)
    )


def revoke_api_token(
    session: Session, *, token: ApiToken, actor: User | None, now: datetime
) -> None:
    """Revoke one token: its owner does; `actor=None` is the command line."""
    if actor is not None and actor.id != token.user_id:
        raise AccountError(N_("Only the token's owner revokes it."))
    if token.revoked_at is not None:
        return
    token.revoked_at = now
    audit.record(
        session,
        action="api_token.revoked",
        entity_type="api_token",
        entity_id=token.id,
        actor_id=actor.id if actor else None,
        now=now,
        details={"user_id": token.user_id, "prefix": token.prefix, "name": token.name},
    )


def revoke_api_tokens(session: Session, *, user: User, now: datetime) -> int:
    """Revoke every live token of the user (password change or reset, deactivation)."""
    count = 0
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
        count += 1
    return count


# --- sessions: one row per signed-in browser ------------------------------------------


def describe_user_agent(user_agent: str) -> str:
    """ "Firefox on Linux": enough to recognise one's own devices in a list."""
    browsers = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
    browsers += (("Safari/", "Safari"),)
    systems = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"))
    systems += (("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux"))
    browser = next((name for mark, name in browsers if mark in user_agent), "")
    system = next((name for mark, name in systems if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or user_agent[:60] or "Unknown browser"


def start_session(
    session: Session, *, user: User, user_agent: str, remote_addr: str, now: datetime
) -> UserSession:
    """A new signed-in session; its key is what the cookies will carry (`user.get_id()`)."""
    record = UserSession(
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        user_agent=describe_user_agent(user_agent)[:200],
        remote_addr=remote_addr[:64],
    )
    session.add(record)
    session.flush()
    user.signed_in = record
    return record


def load_session(
    session: Session, key: str, *, now: datetime, idle_limit: timedelta
) -> User | None:
    """The user a session cookie's key signs in, or None when the session was ended, has
    been idle longer than `idle_limit`, or the account is deactivated."""
    if not key or len(key) > 64:
        return None
    # Every request asks this: the session, its user, roles and groups in one query.
    signed_in = joinedload(UserSession.user)
    record = (
        session.scalars(
            select(UserSession)
            .where(UserSession.key == key)
            .options(
                signed_in.joinedload(User.role_rows),
                signed_in.joinedload(User.membership_rows),
            )
        )
        .unique()
        .one_or_none()
    )
    if record is None or record.revoked_at is not None or not record.user.active:
        return None
    if record.last_seen_at + idle_limit <= now:
        return None
    if now - record.last_seen_at > timedelta(minutes=1):
        record.last_seen_at = now
    record.user.signed_in = record
    return record.user


def end_session(session: Session, *, record: UserSession | None, now: datetime) -> None:
    """Signing out: this browser's session only; the person's other devices stay in."""
    if record is not None and record.revoked_at is None:
        record.revoked_at = now


def revoke_sessions(
    session: Session, *, user: User, now: datetime, keep: UserSession | None = None
) -> int:
    """End every session of the user except `keep` (the one changing the password)."""
    count = 0
    for record in session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ):
        if keep is None or record.id != keep.id:
            record.revoked_at = now
            count += 1
    return count


def sessions_of(session: Session, user: User) -> list[UserSession]:
    """The user's sessions still signed in, most recently seen first."""
    return list(
        session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


# --- passwords: change and reset --------------------------------------------------------


def change_password(
    session: Session,
    *,
    user: User,
    current_password: str,
    new_password: str,
    keep_session: UserSession | None,
    remote_addr: str,
    policy: throttle.ThrottlePolicy,
    now: datetime,
) -> None:
    """The signed-in person's new password: the current one first (under the sign-in
    throttle, so a borrowed session cannot guess it); then every other session and every
    API token ends. A wrong current password leaves its count to commit."""
    verdict = throttle.charge(session, user.email, remote_addr, policy=policy, now=now)
    if not verdict.allowed:
        raise AccountError(
            "Too many failed attempts. Try again in "
            f"{plural(verdict.retry_after_minutes, 'minute')}.",
            field="current_password",
        )
    if not passwords.verify_password(user.password_hash, current_password):
        throttle.note_failure(session, verdict.source, policy=policy, now=now)
        raise AccountError(N_("Your current password is not right."), field="current_password")
    throttle.note_success(session, verdict.source)
    problem = passwords.password_problem(new_password)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = passwords.hash_password(new_password)
    user.rotate_login_id()
    sessions = revoke_sessions(session, user=user, now=now, keep=keep_session)
    tokens = revoke_api_tokens(session, user=user, now=now)
    audit.record(
        session,
        action="user.password_changed",
        entity_type="user",
        entity_id=user.id,
        actor_id=user.id,
        now=now,
        details={"sessions_ended": sessions, "tokens_revoked": tokens},
    )


def issue_reset_link(session: Session, *, target: User, actor: User | None, now: datetime) -> str:
    """A one-time link to set a new password, for an admin to hand over (`actor=None`:
    the command line). Earlier unused reset links of the person stop working."""
    if actor is not None and not permissions.can(actor, permissions.Permission.MANAGE_USERS):
        raise AccountError(N_("Only admins issue password reset links."))
    if not target.active:
        raise AccountError(N_("Reactivate the account first."))
    for earlier in session.scalars(
        select(Invitation).where(
            Invitation.user_id == target.id,
            Invitation.purpose == LinkPurpose.RESET,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        earlier.revoked_at = now
    secret = secrets.token_urlsafe(32)
    issuer = actor or target  # created_by is required; the CLI acts for the person
    session.add(
        Invitation(
            user_id=target.id,
            token_hash=_sha256(secret),
            created_by_id=issuer.id,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
            purpose=LinkPurpose.RESET,
        )
    )
    session.flush()
    audit.record(
        session,
        action="user.reset_link_issued",
        entity_type="user",
        entity_id=target.id,
        actor_id=actor.id if actor else None,
        now=now,
        details={"expires_at": (now + RESET_LIFETIME).isoformat()},
    )
    return secret
