"""The audit log read as a story: one short sentence per event, and a complaint's timeline.

No Flask: the complaint page and the admin audit page call it with a session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.core.parts import parts_in_words

#: How each action reads. Placeholders: {actor}, {revision}, {entity_id} and the event's
#: details ({parts} is the list of edited parts). A sign-off that says no reads as the
#: action with ".refused" added. An action missing here, or a placeholder its event
#: lacks, reads as the action's name.
WORDING: dict[str, str] = {
    "complaint.created": "{actor} added the complaint",
    "complaint.reanalyzed": "{actor} analysed the complaint again",
    "complaint.resolved": "{actor} marked the complaint resolved",
    "complaint.assign": "{actor} took the complaint",
    "complaint.assign.over": "{actor} took the complaint over from {from_name}",
    "complaint.release": "{actor} released the complaint",
    "case.complaint_moved": "{actor} moved complaint #{entity_id} from case #{from_case} "
    "into case #{to_case}",
    "case.complaint_split": "{actor} split complaint #{entity_id} out into case #{to_case}",
    "case.note_added": "{actor} wrote an internal note on case #{entity_id}",
    "complaint.assign.colleague": "{actor} assigned the complaint to {to_name}",
    "complaint.bulk_close": "{actor} closed {count} complaints as not a complaint",
    "complaint.bulk_reopen": "{actor} reopened {count} complaints (undo of a bulk close)",
    "complaint.bulk_assign": "{actor} assigned {count} complaints to {to_name}",
    "complaint.bulk_tag": "{actor} tagged {count} complaints “{tag}”",
    "draft.created": "{actor} started a draft reply",
    "draft.edited": "{actor} edited {parts} (now revision {revision})",
    "draft.submit": "{actor} submitted the draft (revision {revision})",
    "draft.approve": "{actor} approved revision {revision}",
    "draft.request_changes": "{actor} asked for changes on revision {revision}",
    "draft.sign_off": "{actor} ({group}) signed off revision {revision}",
    "draft.sign_off.refused": "{actor} ({group}) refused sign-off on revision {revision}",
    "draft.withdraw": "{actor} withdrew the draft",
    "draft.publish": "{actor} published revision {revision}",
    "draft.publish.manual": "{actor} took revision {revision} to post by hand",
    "publication.delivered": "The reply was delivered",
    "publication.delivered.manual": "{actor} marked the reply as posted: {url}",
    "publication.retry_scheduled": "Delivery attempt {attempt} failed: {error}; trying again",
    "publication.retried": "{actor} asked for delivery to be tried again",
    "publication.failed": "Delivery failed: {error}",
    "import.finished": "{actor}'s import of {filename} finished",
    "import.resumed": "The import was taken over after row {after_row}: the process "
    "running it had stopped",
    "settings.company_updated": "{actor} updated the company details",
    "settings.market_updated": "{actor} updated a market",
    "settings.tone_policy_updated": "{actor} updated the tone policy",
    "settings.workflow_policy_updated": "{actor} updated the workflow policy",
    "settings.response_targets_updated": "{actor} changed response-time targets",
    "settings.template_saved": "{actor} saved version {number} of the template {variant_id}",
    "follow_up.done": "{actor} followed up with the customer",
    "user.created": "{actor} created the account {email}",
    "user.invited": "{actor} invited user #{entity_id}",
    "user.invitation_accepted": "{actor} accepted the invitation",
    "user.roles_changed": "{actor} changed the roles of user #{entity_id}",
    "user.deactivated": "{actor} deactivated user #{entity_id}",
    "user.reactivated": "{actor} reactivated user #{entity_id}",
    "user.password_set": "{actor} set a password for user #{entity_id}",
    "api_token.created": "{actor} created an API token for user #{user_id}",
}

#: Who did it when no person did (imports from the CLI, scheduled jobs).
SYSTEM = "The system"


@dataclass(frozen=True)
class HistoryEntry:
    event_id: int
    at: datetime
    actor_name: str | None
    action: str
    sentence: str
    complaint_id: int | None
    from_state: str | None
    to_state: str | None
    revision: int | None

    @property
    def state_change(self) -> str | None:
        """ "draft → cooling off" when the event moved the draft, else None."""
        if not self.from_state or not self.to_state or self.from_state == self.to_state:
            return None
        return f"{_readable(self.from_state)} → {_readable(self.to_state)}"


def _readable(name: str) -> str:
    return name.replace(".", " ").replace("_", " ")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _utc_time(value: Any) -> str | None:
    """ "09:20 UTC" from an ISO timestamp in the details; None when it is not one."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def _consequences(event: AuditEvent, details: Mapping[str, Any]) -> str:
    """What followed from the event, from its details: the tail of its sentence."""
    tail = ""
    if event.action == "draft.edited":
        effects = [
            f"{_plural(details[key], noun)} voided"
            for key, noun in (("voided_reviews", "review"), ("voided_signoffs", "sign-off"))
            if isinstance(details.get(key), int) and details[key] > 0
        ]
        if details.get("cooling_off_until"):
            effects.append("cooling-off restarted")
        if effects:
            tail += "; " + ", ".join(effects)
    elif event.action == "draft.submit":
        until = _utc_time(details.get("cooling_off_until"))
        if until:
            tail += f"; cooling off until {until}"
        reasons = details.get("signoff") or ()
        groups = sorted({r["group"] for r in reasons if isinstance(r, dict) and r.get("group")})
        if groups:
            tail += f"; needs sign-off by {' and '.join(groups)}"
    elif event.action.startswith("settings.") and isinstance(details.get("changes"), list):
        # Recorded since the settings operations say what changed (older events do not).
        tail += ": " + "; ".join(str(change) for change in details["changes"])
    if details.get("comment"):
        tail += f": “{details['comment']}”"
    return tail


def describe(event: AuditEvent, actor_name: str | None) -> str:
    """A short sentence for the event, e.g. "Riya Reviewer approved revision 3"."""
    details = event.details if isinstance(event.details, dict) else {}
    actor = actor_name or SYSTEM
    key = event.action
    if key == "draft.sign_off" and details.get("approved") is False:
        key += ".refused"
    if key == "complaint.assign" and details.get("assigned"):
        key += ".colleague"
    elif key == "complaint.assign" and details.get("take_over"):
        key += ".over"
    if key in ("draft.publish", "publication.delivered") and details.get("adapter") == "manual":
        key += ".manual"  # posted by hand: "posted" only once its link is recorded
    fields = {
        **details,
        "actor": actor,
        "revision": event.revision,
        "entity_id": event.entity_id,
        "parts": parts_in_words(details.get("parts") or ()) or "the draft",
    }
    fields = {name: value for name, value in fields.items() if value is not None}
    try:
        sentence = WORDING[key].format_map(fields)
    except (KeyError, IndexError, ValueError):
        sentence = f"{actor}: {_readable(event.action)}"
    return sentence + _consequences(event, details)


def entries(session: Session, query: Select[tuple[AuditEvent]]) -> list[HistoryEntry]:
    """The events `query` selects, in its order, each with its actor's name and sentence."""
    rows = session.execute(
        query.add_columns(User.name).outerjoin(User, User.id == AuditEvent.actor_id)
    )
    return [
        HistoryEntry(
            event_id=event.id,
            at=event.at,
            actor_name=name,
            action=event.action,
            sentence=describe(event, name),
            complaint_id=event.complaint_id,
            from_state=event.from_state,
            to_state=event.to_state,
            revision=event.revision,
        )
        for event, name in rows
    ]


def timeline(session: Session, complaint_id: int) -> list[HistoryEntry]:
    """Everything that happened to a complaint and its replies, oldest first."""
    return entries(
        session,
        select(AuditEvent).where(AuditEvent.complaint_id == complaint_id).order_by(AuditEvent.id),
    )
