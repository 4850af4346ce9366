"""What a case page shows: its timeline, and a customer's cases by handle. Read only.

The timeline puts in time order the customer's messages (the case's complaints, from any
channel), our replies (published drafts, and the brand's replies read from an imported
file), internal notes, and the state changes of its complaints and of the case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.audit.history import HistoryEntry, entries
from app.audit.models import AuditEvent
from app.complaints.cases import handle_key
from app.complaints.models import Case, CaseNote, Complaint, ImportedReply
from app.drafts.models import Draft, DraftState, Revision

#: Of entries at the same moment, which comes first.
_ORDER = {"message": 0, "imported_reply": 1, "our_reply": 1, "event": 2, "note": 3}
#: Events of a case's complaints that the timeline shows beside the state changes.
_SHOWN_ACTIONS = ("complaint.", "case.complaint_")
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Entry:
    """One line of a case's timeline. `kind`: message, our_reply, imported_reply, note or
    event."""

    at: datetime
    kind: str
    text: str = ""
    #: Who wrote it, as shown (a colleague's name, the brand's handle...).
    who: str = ""
    complaint: Complaint | None = None
    draft_id: int | None = None
    note: CaseNote | None = None
    event: HistoryEntry | None = None

    @property
    def key(self) -> tuple:
        return (self.at, _ORDER[self.kind])


def messages(session: Session, case: Case) -> list[Complaint]:
    return list(
        session.scalars(
            select(Complaint)
            .where(Complaint.case_id == case.id)
            .order_by(Complaint.received_at, Complaint.id)
        )
    )


def timeline(
    session: Session,
    case: Case,
    complaints: list[Complaint],
    translate: Callable[[str], str] = lambda message: message,
) -> list[Entry]:
    """Everything in the case, oldest first; `translate` (the web layer's gettext) says the
    events' sentences in the reader's language."""
    ids = [complaint.id for complaint in complaints]
    items = [Entry(c.received_at, "message", c.text, complaint=c) for c in complaints]
    for draft, revision in session.execute(
        select(Draft, Revision)
        .join(
            Revision,
            (Revision.draft_id == Draft.id) & (Revision.number == Draft.current_revision),
        )
        .where(Draft.complaint_id.in_(ids), Draft.state == DraftState.PUBLISHED)
    ):
        items.append(
            Entry(
                draft.published_at or draft.updated_at,
                "our_reply",
                revision.text,
                who=draft.author.name,
                draft_id=draft.id,
            )
        )
    for reply in session.scalars(select(ImportedReply).where(ImportedReply.case_id == case.id)):
        items.append(Entry(reply.sent_at, "imported_reply", reply.text, who=reply.author_handle))
    for note in session.scalars(select(CaseNote).where(CaseNote.case_id == case.id)):
        items.append(Entry(note.created_at, "note", note.text, who=note.author.name, note=note))
    events = entries(
        session,
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.complaint_id.in_(ids),
                (AuditEvent.entity_type == "case") & (AuditEvent.entity_id == case.id),
            )
        )
        .order_by(AuditEvent.id),
        translate,
    )
    for event in events:
        if event.state_change or event.action.startswith(_SHOWN_ACTIONS):
            items.append(Entry(event.at, "event", event.sentence, event=event))
    return sorted(items, key=lambda entry: entry.key)


@dataclass
class CaseSummary:
    case: Case
    messages: int = 0
    open_messages: int = 0
    channels: list[str] = field(default_factory=list)
    first_text: str = ""


def customer_history(session: Session, handle: str) -> list[CaseSummary]:
    """Every case of a customer handle, across channels, the latest first: the cases
    started by the handle, and those holding a message written under it."""
    key = handle_key(handle)
    if not key:
        return []
    started = select(Case.id).where(Case.customer_handle == key)
    written = select(Complaint.case_id).where(
        Complaint.author_handle.in_({handle.strip(), key, f"@{key}"}),
        Complaint.case_id.is_not(None),
    )
    found = list(
        session.scalars(
            select(Case)
            .where(or_(Case.id.in_(started), Case.id.in_(written)))
            .order_by(Case.last_message_at.desc(), Case.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )
    summaries = {case.id: CaseSummary(case) for case in found}
    for complaint in session.scalars(
        select(Complaint)
        .where(Complaint.case_id.in_(summaries))
        .order_by(Complaint.received_at, Complaint.id)
    ):
        summary = summaries[complaint.case_id]
        summary.messages += 1
        summary.open_messages += bool(complaint.is_open)
        if complaint.channel.name not in summary.channels:
            summary.channels.append(complaint.channel.name)
        summary.first_text = summary.first_text or complaint.text
    return list(summaries.values())
