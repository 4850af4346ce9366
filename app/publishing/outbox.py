"""The publication outbox. No Flask.

Publishing a draft writes one `Publication` row in the same transaction as the state change
(a unique draft id: however many clicks or servers, one row). Webhook rows are then
delivered by `flask --app wsgi worker run` (or `flask outbox run`):

1. claim: select due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers
   share the work without waiting on each other), and in the same transaction bump
   `attempts` and push `next_attempt_at` a lease ahead, conditionally on `attempts` being
   what was read, so on any database exactly one worker wins each attempt;
2. deliver outside any transaction (an HTTP call never holds a lock);
3. record the result, again conditionally: delivered, retried later with back-off, or
   failed after the last attempt (the author and admins are told).

A worker that dies mid-delivery leaves its claim to expire; the retry carries the same
idempotency key, so the receiver posts once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.accounts.permissions import Permission, can
from app.audit import log as audit
from app.channels import fit
from app.core.errors import DomainError
from app.core.words import N_, Words
from app.drafts.models import Draft, DraftState, Publication, PublicationStatus, Revision
from app.notifications import notify
from app.publishing.adapters import MANUAL, WEBHOOK, Delivery


class Adapter(Protocol):
    def deliver(
        self, payload: dict[str, Any], *, idempotency_key: str, now: datetime
    ) -> Delivery: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    #: The wait after the first failure; it doubles with each further one.
    base_seconds: int = 30
    cap_seconds: int = 3600
    #: How long a claim holds before another worker may try the row again: just over the
    #: time one delivery may take (`app.services.retry_policy`), so a worker that dies
    #: delays its row by seconds.
    lease_seconds: int = 25

    def wait(self, attempts: int) -> timedelta:
        return timedelta(
            seconds=min(self.base_seconds * 2 ** max(attempts - 1, 0), self.cap_seconds)
        )


def payload(draft: Draft, revision: Revision, *, actor: User, now: datetime) -> dict[str, Any]:
    """What the channel receives: the final text (and its thread split where needed), and
    what it answers."""
    complaint = draft.complaint
    return {
        "draft_id": draft.id,
        "revision": revision.number,
        "complaint_id": complaint.id,
        "channel": draft.channel_key,
        "text": revision.text,
        # Split exactly as the editor and the tone check showed it: the channel decides.
        "thread": fit(revision.text, draft.channel).thread if revision.text else [],
        "in_reply_to": {
            "external_id": complaint.external_id,
            "url": complaint.url,
            "author_handle": complaint.author_handle,
        },
        "published_at": now.isoformat(),
        "published_by": actor.name,
    }


def enqueue(
    session: Session,
    draft: Draft,
    revision: Revision,
    *,
    adapter: str,
    actor: User,
    now: datetime,
) -> Publication:
    """The draft's outbox row. The caller has just moved the draft to `published` under
    its version check, so this runs once per draft; the unique draft id is the backstop."""
    publication = Publication(
        draft_id=draft.id,
        revision_id=revision.id,
        adapter=adapter,
        idempotency_key=str(uuid.uuid4()),
        payload=payload(draft, revision, actor=actor, now=now),
        status=PublicationStatus.PENDING,
        attempts=0,
        next_attempt_at=now if adapter == WEBHOOK else None,
        published_by_id=actor.id,
        created_at=now,
    )
    session.add(publication)
    session.flush()
    return publication


#: A draft's states as people read them (English message ids: the screens translate them,
#: `app.web.say.state`).
STATE_WORDS = {
    DraftState.DRAFT: N_("Draft, not submitted"),
    DraftState.COOLING_OFF: N_("Cooling off"),
    DraftState.CHANGES_REQUESTED: N_("Changes requested"),
    DraftState.APPROVED: N_("Approved"),
    DraftState.PUBLISHED: N_("Published"),
    DraftState.WITHDRAWN: N_("Withdrawn"),
}
#: A published draft's words while its publication is not out yet, by adapter and status.
#: A reply posted by hand is "posted" only once its link is recorded.
NOT_OUT_YET_WORDS = {
    (MANUAL, PublicationStatus.PENDING): N_("To post by hand"),
    (MANUAL, PublicationStatus.DELIVERED): N_("Posted"),
    (WEBHOOK, PublicationStatus.PENDING): N_("Being sent"),
    (WEBHOOK, PublicationStatus.FAILED): N_("Sending failed"),
}


def state_words(state: DraftState, publication: Publication | None = None) -> str:
    """What a draft's state is called on every page: "Published" only for a reply that is
    out; on the manual channel "To post by hand" until the link is recorded, then "Posted"."""
    if state == DraftState.PUBLISHED and publication is not None:
        shown = NOT_OUT_YET_WORDS.get((publication.adapter, publication.status))
        if shown:
            return shown
    return STATE_WORDS.get(state, str(state))


def is_out(publication: Publication | None) -> bool:
    """Whether the reply is on the channel: delivered by the webhook, or posted by hand and
    its link recorded."""
    return publication is not None and publication.status == PublicationStatus.DELIVERED


def publication_for(session: Session, draft: Draft) -> Publication | None:
    return session.scalar(select(Publication).where(Publication.draft_id == draft.id))


class PublishingError(DomainError):
    """Why a publication cannot be changed that way, in words for people. `code`:
    "forbidden" (not this person), "conflict" (not in this state), "invalid" (bad input)."""

    field = "url"


def record_link(
    session: Session, publication: Publication, url: str, *, actor: User, now: datetime
) -> Publication:
    """The manual adapter's second half: whoever posted the reply gives its link. Only the
    draft's author, whoever published it, or an admin; once recorded, the link stays."""
    refusal = link_refusal(session, publication, actor)
    if refusal:
        raise PublishingError(refusal, code="forbidden")
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 2000 or " " in url:
        raise PublishingError(
            Words(N_("Paste the full link of the posted reply, starting with https://."))
        )
    if publication.external_url is not None:
        if publication.external_url == url:
            return publication
        raise PublishingError(
            Words(
                N_(
                    "The link of this reply is already recorded and cannot be changed; "
                    "the history shows who recorded it and when."
                )
            ),
            code="conflict",
        )
    publication.external_url = url
    publication.move_to(PublicationStatus.DELIVERED)
    publication.delivered_at = publication.delivered_at or now
    publication.next_attempt_at = None
    session.flush()
    _audit(session, publication, "publication.delivered", actor=actor, now=now, url=url)
    return publication


def link_refusal(session: Session, publication: Publication, actor: User) -> Words | None:
    """Why `actor` may not record the posted link of this publication, or None."""
    if not can(actor, Permission.DRAFT_REPLIES):
        return Words(N_("Only agents record where a reply was posted."))
    if publication.adapter != MANUAL:
        return Words(N_("This reply is delivered by the webhook; there is no link to add."))
    author_id = session.scalar(select(Draft.author_id).where(Draft.id == publication.draft_id))
    if actor.id not in (author_id, publication.published_by_id) and Role.ADMIN not in actor.roles:
        return Words(
            N_("Only the reply's author, whoever published it, or an admin records its link.")
        )
    return None


def retry_now(session: Session, publication: Publication, *, actor: User, now: datetime) -> None:
    """An admin sends a failed webhook delivery again (with the same idempotency key)."""
    if not can(actor, Permission.MANAGE_SETTINGS):
        raise PublishingError("Only admins send a failed delivery again.", "forbidden")
    if publication.adapter != WEBHOOK or publication.status != PublicationStatus.FAILED:
        raise PublishingError("Only a failed webhook delivery can be sent again.", "conflict")
    publication.move_to(PublicationStatus.PENDING)
    publication.attempts = 0
    publication.next_attempt_at = now
    session.flush()
    _audit(session, publication, "publication.retried", actor=actor, now=now)


@dataclass(frozen=True)
class Claim:
    publication_id: int
    attempt: int
    payload: dict[str, Any]
    idempotency_key: str


def claim_due(
    session: Session, *, now: datetime, retry: RetryPolicy, limit: int = 1
) -> list[Claim]:
    """Claim up to `limit` due webhook deliveries for this worker (flushed; the worker
    commits the claim before it delivers, see `app.publishing.jobs`)."""
    query = (
        select(Publication.id, Publication.attempts)
        .where(
            Publication.status == PublicationStatus.PENDING,
            Publication.adapter == WEBHOOK,
            Publication.next_attempt_at <= now,
        )
        .order_by(Publication.next_attempt_at, Publication.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claims = []
    for publication_id, attempts in session.execute(query).all():
        won = session.execute(
            update(Publication)
            .where(
                Publication.id == publication_id,
                Publication.attempts == attempts,
                Publication.status == PublicationStatus.PENDING,
            )
            .values(
                attempts=attempts + 1, next_attempt_at=now + timedelta(seconds=retry.lease_seconds)
            )
        ).rowcount
        if won:
            row = session.get(Publication, publication_id)
            claims.append(
                Claim(publication_id, attempts + 1, dict(row.payload), row.idempotency_key)
            )
    session.flush()
    return claims


def extend(session: Session, claim: Claim, *, now: datetime, retry: RetryPolicy) -> bool:
    """Renew the lease of a claimed row just before sending it (flushed); False when
    another worker has taken the row since (its lease ran out meanwhile)."""
    return _if_still_ours(
        session, claim, next_attempt_at=now + timedelta(seconds=retry.lease_seconds)
    )


def release(session: Session, claim: Claim, *, now: datetime) -> bool:
    """Give back a claimed row not sent (the worker is stopping): due again now, and the
    attempt it was claimed for not counted. Flushed; False when it is no longer ours."""
    return _if_still_ours(session, claim, attempts=claim.attempt - 1, next_attempt_at=now)


def _if_still_ours(session: Session, claim: Claim, **values) -> bool:
    """Set `values` on the claimed row while it is still pending under this claim's
    attempt; False when another worker has it now."""
    return bool(
        session.execute(
            update(Publication)
            .where(
                Publication.id == claim.publication_id,
                Publication.attempts == claim.attempt,
                Publication.status == PublicationStatus.PENDING,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def record_attempt(
    session: Session, claim: Claim, delivery: Delivery, *, now: datetime, retry: RetryPolicy
) -> PublicationStatus | None:
    """Store what an attempt came to (flushed), unless another worker has taken the row
    since: then None, and nothing changed."""
    publication = session.get(Publication, claim.publication_id, with_for_update=True)
    if (
        publication is None
        or publication.attempts != claim.attempt
        or publication.status != PublicationStatus.PENDING
    ):
        return None
    if delivery.ok:
        publication.move_to(PublicationStatus.DELIVERED)
        publication.delivered_at = now
        publication.next_attempt_at = None
        publication.external_url = delivery.external_url or publication.external_url
        publication.last_error = None
        action = "publication.delivered"
    elif delivery.retry and claim.attempt < retry.max_attempts:
        publication.next_attempt_at = now + retry.wait(claim.attempt)
        publication.last_error = delivery.error
        action = "publication.retry_scheduled"
    else:
        publication.move_to(PublicationStatus.FAILED)
        publication.next_attempt_at = None
        publication.last_error = delivery.error
        action = "publication.failed"
    session.flush()
    _audit(
        session,
        publication,
        action,
        actor=None,
        now=now,
        attempt=claim.attempt,
        **({"error": delivery.error} if delivery.error else {}),
        **({"url": publication.external_url} if publication.external_url else {}),
    )
    if publication.status == PublicationStatus.FAILED:
        draft = session.get(Draft, publication.draft_id)
        notify.delivery_failed(session, draft, publication, now=now)
    session.flush()
    return publication.status


def _audit(
    session: Session,
    publication: Publication,
    action: str,
    *,
    actor: User | None,
    now: datetime,
    **details: Any,
) -> None:
    draft = session.get(Draft, publication.draft_id)
    audit.record(
        session,
        action=action,
        entity_type="publication",
        entity_id=publication.id,
        complaint_id=draft.complaint_id,
        draft_id=draft.id,
        actor_id=actor.id if actor else None,
        now=now,
        details={"adapter": publication.adapter, **details},
    )
