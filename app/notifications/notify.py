"""Who hears about what (PRODUCT.md "The flow"). No Flask: the workflow and the outbox call
these in their own transaction.

- a draft is submitted: reviewers (and sign-off, when the case needs it) are asked to act;
- a reviewer or signer decides: the author hears;
- an edit voids approvals: whoever approved is asked to read it again;
- a submitted draft's cooling-off ends: the author hears whether it is ready to publish;
- a webhook delivery fails for good: the author and the admins hear;
- an internal note on a case @mentions a colleague: they hear.

One unread notice per person and link: a second event updates it rather than piling up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User, UserRole
from app.core.durations import plural
from app.drafts.models import Draft, Publication
from app.nlp.detection import language_name
from app.notifications.models import Notification

MAX_MESSAGE = 500


def draft_link(draft: Draft, page: str = "") -> str:
    """The path of a draft's page: "" the editor, "review", "sign-off", "publish"."""
    return f"/drafts/{draft.id}" + (f"/{page}" if page else "")


def people_with(session: Session, role: Role) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True))
            .order_by(User.id)
        ).unique()
    )


def send(
    session: Session,
    users: Iterable[User],
    *,
    kind: str,
    message: str,
    link: str,
    now: datetime,
    skip: User | None = None,
) -> int:
    """Notify each person once (an unread notice with the same link is refreshed)."""
    message = message[:MAX_MESSAGE]
    count = 0
    seen = set()
    for user in users:
        if user.id in seen or (skip is not None and user.id == skip.id) or not user.active:
            continue
        seen.add(user.id)
        existing = session.scalar(
            select(Notification).where(
                Notification.user_id == user.id,
                Notification.link == link,
                Notification.read_at.is_(None),
            )
        )
        if existing is not None:
            existing.kind, existing.message, existing.created_at = kind, message, now
            existing.emailed_at, existing.email_error = None, None
        else:
            session.add(
                Notification(user_id=user.id, kind=kind, message=message, link=link, created_at=now)
            )
        count += 1
    return count


def _case(draft: Draft) -> str:
    return f"draft #{draft.id} (complaint #{draft.complaint_id})"


def submitted(session: Session, draft: Draft, *, actor: User, now: datetime) -> None:
    reviewers = people_with(session, Role.REVIEWER)
    send(
        session,
        reviewers,
        kind="review_requested",
        message=f"{actor.name} asks for a review of {_case(draft)}.",
        link=draft_link(draft, "review"),
        now=now,
        skip=actor,
    )
    if draft.requires_signoff:
        signoff_needed(session, draft, actor=actor, now=now)


def signoff_needed(session: Session, draft: Draft, *, actor: User, now: datetime) -> None:
    groups = sorted({reason["group"] for reason in draft.signoff_reasons})
    why = ", ".join(
        f"not read: {language_name(reason['value'])}"
        if reason.get("kind") == "language"
        else reason["value"].replace("_", " ")
        for reason in draft.signoff_reasons
    )
    members = [user for user in people_with(session, Role.SIGNOFF) if user.groups & set(groups)]
    send(
        session,
        members,
        kind="signoff_requested",
        message=f"{_case(draft).capitalize()} needs {' and '.join(groups)} sign-off ({why}).",
        link=draft_link(draft, "sign-off"),
        now=now,
        skip=actor,
    )


def access_requested(
    session: Session, target: User, words: list[str], *, actor: User, now: datetime
) -> None:
    """Ask the other admins to confirm (or reject) powers an admin wants to give."""
    send(
        session,
        people_with(session, Role.ADMIN),
        kind="access_requested",
        message=f"{actor.name} asks to give {target.name} {', '.join(words)}: confirm or reject.",
        link=f"/admin/users/{target.id}",
        now=now,
        skip=actor,
    )


def decided(
    session: Session, draft: Draft, *, actor: User, what: str, now: datetime, comment: str = ""
) -> None:
    """Tell the author what a reviewer or signer decided."""
    said = f": “{comment[:200]}”" if comment else "."
    send(
        session,
        [draft.author],
        kind="decision",
        message=f"{actor.name} {what} {_case(draft)}{said}",
        link=draft_link(draft),
        now=now,
        skip=actor,
    )


#: The cooling-off notice links to the editor's publishing section, so it is a notice of
#: its own beside the "decided" one (which links to the editor).
READY_KIND = "cooling_off_ended"


def ready_link(draft: Draft) -> str:
    return draft_link(draft) + "#publishing"


def cooling_off_ended(
    session: Session, draft: Draft, *, waiting_for: str | None, now: datetime
) -> None:
    """Tell the author the cooling-off is over: ready to publish, or what it still waits for."""
    if waiting_for is None:
        message = f"Cooling-off of {_case(draft)} has ended: it is ready to publish."
    else:
        message = f"Cooling-off of {_case(draft)} has ended. Still needed: {waiting_for}"
    send(
        session,
        [draft.author],
        kind=READY_KIND,
        message=message,
        link=ready_link(draft),
        now=now,
    )


def approvals_voided(
    session: Session, draft: Draft, reviewers: list[User], *, actor: User, now: datetime
) -> None:
    send(
        session,
        reviewers,
        kind="review_requested",
        message=f"{actor.name} changed {_case(draft)} after your decision; please read it again.",
        link=draft_link(draft, "review"),
        now=now,
        skip=actor,
    )


def delivery_failed(
    session: Session, draft: Draft, publication: Publication, *, now: datetime
) -> None:
    send(
        session,
        [draft.author, *people_with(session, Role.ADMIN)],
        kind="delivery_failed",
        message=(
            f"The reply of {_case(draft)} could not be delivered after "
            f"{plural(publication.attempts, 'attempt')}: "
            f"{publication.last_error or 'unknown error'}"
        ),
        link=draft_link(draft, "publish"),
        now=now,
    )


def mentioned(
    session: Session, people: Iterable[User], *, case_id: int, link: str, actor: User, now: datetime
) -> int:
    """Tell each colleague an internal note on a case mentions them (never the writer)."""
    return send(
        session,
        people,
        kind="mentioned",
        message=f"{actor.name} mentioned you in an internal note on case #{case_id}.",
        link=link,
        now=now,
        skip=actor,
    )


def unread(session: Session, user: User, limit: int = 50) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user: User) -> int:
    """How many notices the person has not read (one COUNT on the user's unread index)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def owned(session: Session, user: User, notification_id: int) -> Notification | None:
    """One of the person's own notices; None for anyone else's."""
    return session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )


def recent(session: Session, user: User, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(
    session: Session, user: User, *, now: datetime, notification_id: int | None = None
) -> int:
    """Mark one (or all) of the user's notices read; returns how many changed."""
    query = select(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    rows = list(session.scalars(query))
    for row in rows:
        row.read_at = now
    return len(rows)


def assigned(
    session: Session, colleague: User, complaint_ids: list[int], *, actor: User, now: datetime
) -> int:
    """A colleague assigned complaints to `colleague`: one notice, linking to the one
    complaint or to their own queue. Nobody is told what they did themselves."""
    if len(complaint_ids) == 1:
        message = f"{actor.name} assigned complaint #{complaint_ids[0]} to you."
        link = f"/complaints/{complaint_ids[0]}"
    else:
        message = f"{actor.name} assigned {len(complaint_ids):,} complaints to you."
        link = "/?assignee=me"
    return send(
        session, [colleague], kind="assigned", message=message, link=link, now=now, skip=actor
    )
