"""The audit log read as a story: one short sentence per event, and a complaint's timeline.

No Flask: the complaint page and the admin audit page call it with a session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.accounts.models import User, group_word
from app.audit.models import AuditEvent
from app.core.parts import parts_in_words
from app.core.words import N_
from app.settings.store import NOT_SET

#: How each action reads. Placeholders: %(actor)s, %(revision)s, %(entity_id)s and the event's
#: details (%(parts)s is the list of edited parts). A sign-off that says no reads as the
#: action with ".refused" added. An action missing here, or a placeholder its event
#: lacks, reads as the action's name.
WORDING: dict[str, str] = {
    "complaint.created": N_("%(actor)s added the complaint"),
    "complaint.reanalyzed": N_("%(actor)s analysed the complaint again"),
    "complaint.resolved": N_("%(actor)s marked the complaint resolved"),
    "complaint.assign": N_("%(actor)s took the complaint"),
    "complaint.assign.over": N_("%(actor)s took the complaint over from %(from_name)s"),
    "complaint.release": N_("%(actor)s released the complaint"),
    "case.complaint_moved": N_(
        "%(actor)s moved complaint #%(entity_id)s from case #%(from_case)s into case #%(to_case)s"
    ),
    "case.complaint_split": N_(
        "%(actor)s split complaint #%(entity_id)s out into case #%(to_case)s"
    ),
    "case.note_added": N_("%(actor)s wrote an internal note on case #%(entity_id)s"),
    "complaint.assign.colleague": N_("%(actor)s assigned the complaint to %(to_name)s"),
    "complaint.bulk_close": N_("%(actor)s closed %(count)s complaints as not a complaint"),
    "complaint.bulk_reopen": N_("%(actor)s reopened %(count)s complaints (undo of a bulk close)"),
    "complaint.bulk_assign": N_("%(actor)s assigned %(count)s complaints to %(to_name)s"),
    "complaint.bulk_tag": N_("%(actor)s tagged %(count)s complaints “%(tag)s”"),
    "draft.created": N_("%(actor)s started a draft reply"),
    "draft.edited": N_("%(actor)s edited %(parts)s (now revision %(revision)s)"),
    "draft.submit": N_("%(actor)s submitted the draft (revision %(revision)s)"),
    "draft.approve": N_("%(actor)s approved revision %(revision)s"),
    "draft.request_changes": N_("%(actor)s asked for changes on revision %(revision)s"),
    "draft.sign_off": N_("%(actor)s (%(group)s) signed off revision %(revision)s"),
    "draft.sign_off.refused": N_("%(actor)s (%(group)s) refused sign-off on revision %(revision)s"),
    "draft.withdraw": N_("%(actor)s withdrew the draft"),
    "draft.publish": N_("%(actor)s published revision %(revision)s"),
    "draft.publish.manual": N_("%(actor)s took revision %(revision)s to post by hand"),
    "publication.delivered": N_("The reply was delivered"),
    "publication.delivered.manual": N_("%(actor)s marked the reply as posted: %(url)s"),
    "publication.retry_scheduled": N_(
        "Delivery attempt %(attempt)s failed: %(error)s; trying again"
    ),
    "publication.retried": N_("%(actor)s asked for delivery to be tried again"),
    "publication.failed": N_("Delivery failed: %(error)s"),
    "import.finished": N_("%(actor)s's import of %(filename)s finished"),
    "import.resumed": N_(
        "The import was taken over after row %(after_row)s: the process running it had stopped"
    ),
    "settings.company_updated": N_("%(actor)s updated the company details"),
    "settings.market_updated": N_("%(actor)s updated a market"),
    "settings.tone_policy_updated": N_("%(actor)s updated the tone policy"),
    "settings.workflow_policy_updated": N_("%(actor)s updated the workflow policy"),
    "settings.response_targets_updated": N_("%(actor)s changed response-time targets"),
    "settings.template_saved": N_(
        "%(actor)s saved version %(number)s of the template %(variant_id)s"
    ),
    "follow_up.done": N_("%(actor)s followed up with the customer"),
    "user.created": N_("%(actor)s created the account %(email)s"),
    "user.invited": N_("%(actor)s invited user #%(entity_id)s"),
    "user.invitation_accepted": N_("%(actor)s accepted the invitation"),
    "user.roles_changed": N_("%(actor)s changed the roles of user #%(entity_id)s"),
    "user.deactivated": N_("%(actor)s deactivated user #%(entity_id)s"),
    "user.reactivated": N_("%(actor)s reactivated user #%(entity_id)s"),
    "user.password_set": N_("%(actor)s set a password for user #%(entity_id)s"),
    "api_token.created": N_("%(actor)s created an API token for user #%(user_id)s"),
}

#: Who did it when no person did (imports from the CLI, scheduled jobs).
SYSTEM = N_("The system")


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


def _consequences(
    event: AuditEvent, details: Mapping[str, Any], translate: Callable[[str], str]
) -> str:
    """What followed from the event, from its details: the tail of its sentence."""
    tail = ""
    if event.action == "draft.edited":
        effects = [
            translate(one if details[key] == 1 else many) % {"count": details[key]}
            for key, one, many in (
                ("voided_reviews", N_("%(count)s review voided"), N_("%(count)s reviews voided")),
                (
                    "voided_signoffs",
                    N_("%(count)s sign-off voided"),
                    N_("%(count)s sign-offs voided"),
                ),
            )
            if isinstance(details.get(key), int) and details[key] > 0
        ]
        if details.get("cooling_off_until"):
            effects.append(translate(N_("cooling-off restarted")))
        if effects:
            tail += "; " + ", ".join(effects)
    elif event.action == "draft.submit":
        until = _utc_time(details.get("cooling_off_until"))
        if until:
            tail += "; " + translate(N_("cooling off until %(until)s")) % {"until": until}
        reasons = details.get("signoff") or ()
        groups = sorted({r["group"] for r in reasons if isinstance(r, dict) and r.get("group")})
        if groups:
            tail += "; " + translate(N_("needs sign-off by %(groups)s")) % {
                "groups": ", ".join(group_word(group, None, translate) for group in groups)
            }
    elif event.action.startswith("settings.") and isinstance(details.get("changes"), list):
        # Recorded since the settings operations say what changed (older events do not).
        tail += ": " + "; ".join(_change(str(change), translate) for change in details["changes"])
    if details.get("comment"):
        tail += f": “{details['comment']}”"
    return tail


def _change(change: str, translate: Callable[[str], str]) -> str:
    """ "Company name: A → B", recorded in English, with its label and "not set" in the
    reader's language (the values are data)."""
    label, colon, values = change.partition(": ")
    if not colon:
        return change
    old, arrow, new = values.partition(" → ")
    if arrow:
        old, new = (translate(NOT_SET) if v == NOT_SET else v for v in (old, new))
        values = f"{old} → {new}"
    return f"{translate(label)}: {values}"


def _as_is(message: str) -> str:
    return message


def describe(
    event: AuditEvent, actor_name: str | None, translate: Callable[[str], str] = _as_is
) -> str:
    """A short sentence for the event, e.g. "Riya Reviewer approved revision 3";
    `translate` (the web layer's gettext) puts WORDING in the reader's language."""
    details = event.details if isinstance(event.details, dict) else {}
    actor = actor_name or translate(SYSTEM)
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
        "group": group_word(details["group"], None, translate) if details.get("group") else None,
        "parts": parts_in_words(details.get("parts") or (), translate)
        or translate(N_("the draft")),
    }
    fields = {name: value for name, value in fields.items() if value is not None}
    try:
        sentence = translate(WORDING[key]) % fields
    except (KeyError, IndexError, ValueError, TypeError):
        sentence = f"{actor}: {_readable(event.action)}"
    return sentence + _consequences(event, details, translate)


def entries(
    session: Session, query: Select[tuple[AuditEvent]], translate: Callable[[str], str] = _as_is
) -> list[HistoryEntry]:
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
            sentence=describe(event, name, translate),
            complaint_id=event.complaint_id,
            from_state=event.from_state,
            to_state=event.to_state,
            revision=event.revision,
        )
        for event, name in rows
    ]


def timeline(
    session: Session, complaint_id: int, translate: Callable[[str], str] = _as_is
) -> list[HistoryEntry]:
    """Everything that happened to a complaint and its replies, oldest first."""
    return entries(
        session,
        select(AuditEvent).where(AuditEvent.complaint_id == complaint_id).order_by(AuditEvent.id),
        translate,
    )
