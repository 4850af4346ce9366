"""Storing a complaint's analysis: at intake, and again on demand when the rules change.

The analysis itself is `app.analysis`; this module writes its result onto the complaint
and keeps the indexed `complaint_flags` rows in step with `Complaint.flags`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.analysis import Analysis, Entity, Evidence, analyze
from app.analysis.kind import Kind, kind_languages
from app.audit import log as audit
from app.complaints.models import Complaint, ComplaintFlag
from app.core.errors import Invalid
from app.nlp.detection import LANGUAGE_NAMES
from app.tone.checker import anger_notes


def columns(result: Analysis, now: datetime, *, text: str) -> dict[str, Any]:
    """The complaint columns an analysis of `text` fills, for inserts and updates alike.

    With it, in `analysis_notes["anger"]`, the anger cues the text uses (tone rules), so
    the live tone check of every reply does not parse the complaint again.
    """
    data = result.to_dict()
    return {
        "language": result.language,
        "heat": result.heat,
        "heat_label": result.heat_label,
        "complainer_type": result.complainer_type,
        "category": result.category,
        "flags": list(result.flags),
        "entities": data["entities"],
        "evidence": data["evidence"],
        "analysis_notes": {
            "reasons": data["reasons"],
            "notices": data["notices"],
            "language_supported": result.language_supported,
            "flags_checked": result.flags_checked,
            "anger": anger_notes(text, result.language),
            "kind": data["kind"],
        },
        "analyzed_at": now,
        "kind": result.kind.label if result.kind else None,
        # What the detector said; `store` keeps it as it was once an agent set the language.
        "detected_language": result.language,
    }


def store_flags(session: Session, rows: Iterable[tuple[int, Iterable[str]]]) -> None:
    """Replace the indexed flag rows of these complaints."""
    rows = [(complaint_id, list(flags)) for complaint_id, flags in rows]
    if not rows:
        return
    ids = [complaint_id for complaint_id, _ in rows]
    for start in range(0, len(ids), 500):
        session.execute(
            delete(ComplaintFlag).where(ComplaintFlag.complaint_id.in_(ids[start : start + 500]))
        )
    values = [
        {"complaint_id": complaint_id, "flag": flag}
        for complaint_id, flags in rows
        for flag in flags
    ]
    if values:
        session.execute(insert(ComplaintFlag), values)


def store(session: Session, complaint: Complaint, result: Analysis, *, now: datetime) -> None:
    values = columns(result, now, text=complaint.text)
    if complaint.language_set_by_id is not None:
        del values["detected_language"]
    for name, value in values.items():
        setattr(complaint, name, value)
    session.flush()
    store_flags(session, [(complaint.id, result.flags)])


def reanalyze(
    session: Session, complaint: Complaint, *, actor: User | None, now: datetime
) -> Analysis:
    """Analyse again with the current rules; audit when the conclusions changed."""
    before = {
        "flags": list(complaint.flags or []),
        "complainer_type": complaint.complainer_type,
        "category": complaint.category,
        "heat_label": complaint.heat_label,
        "kind": complaint.kind,
    }
    result = analyze(complaint.text, channel=complaint.channel_key, language=_chosen(complaint))
    store(session, complaint, result, now=now)
    after = {
        "flags": list(result.flags),
        "complainer_type": result.complainer_type,
        "category": result.category,
        "heat_label": result.heat_label,
        "kind": result.kind.label if result.kind else None,
    }
    if before != after:
        audit.record(
            session,
            action="complaint.reanalyzed",
            entity_type="complaint",
            entity_id=complaint.id,
            complaint_id=complaint.id,
            actor_id=actor.id if actor else None,
            now=now,
            details={"before": before, "after": after},
        )
    return result


def _chosen(complaint: Complaint) -> str | None:
    """The language an agent set for the complaint, or None to detect it again."""
    return complaint.language if complaint.language_set_by_id is not None else None


def correct_language(
    session: Session, complaint: Complaint, language: str, *, actor: User, now: datetime
) -> Analysis:
    """The agent says which language the complaint is written in: it is read again in that
    language (with its rules if it has them, "not read" otherwise); who set it and when is
    stored with the complaint and audited. Raises Invalid for a code Composure cannot name.
    """
    language = (language or "").strip().lower()
    if language not in LANGUAGE_NAMES:
        raise Invalid({"language": "Choose a language from the list."})
    before = {
        "language": complaint.language,
        "set_by": complaint.language_set_by_id,
        "heat_label": complaint.heat_label,
        "complainer_type": complaint.complainer_type,
        "flags": list(complaint.flags or []),
    }
    if complaint.language_set_by_id is None:
        complaint.detected_language = complaint.language
    complaint.language_set_by_id = actor.id
    complaint.language_set_at = now
    result = analyze(complaint.text, channel=complaint.channel_key, language=language)
    store(session, complaint, result, now=now)
    audit.record(
        session,
        action="complaint.language_corrected",
        entity_type="complaint",
        entity_id=complaint.id,
        complaint_id=complaint.id,
        actor_id=actor.id,
        now=now,
        details={
            "before": before,
            "after": {
                "language": result.language,
                "language_supported": result.language_supported,
                "heat_label": result.heat_label,
                "complainer_type": result.complainer_type,
                "flags": list(result.flags),
            },
            "detected": complaint.detected_language,
        },
    )
    return result


def reanalyze_all(
    session: Session,
    *,
    now: datetime,
    checkpoint: Callable[[], None],
    only_missing: bool = False,
    batch_size: int = 500,
) -> int:
    """Analyse every complaint again (or those never analysed, or analysed before they had
    a kind: migration 0009), calling `checkpoint` after each batch (the CLI commits there,
    so a long run keeps what it has done)."""
    query = select(Complaint.id).order_by(Complaint.id)
    if only_missing:
        # Rows migration 0010 found read with another language's rules have analyzed_at
        # NULL again: read here in their own language, or marked "not read".
        before_kinds = and_(Complaint.kind.is_(None), Complaint.language.in_(kind_languages()))
        query = query.where(or_(Complaint.analyzed_at.is_(None), before_kinds))
    ids = list(session.scalars(query))
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        complaints = session.scalars(select(Complaint).where(Complaint.id.in_(chunk))).all()
        for complaint in complaints:
            reanalyze(session, complaint, actor=None, now=now)
        checkpoint()
    return len(ids)


def stored(complaint: Complaint) -> Analysis:
    """The analysis as stored with the complaint (what its page shows), as an Analysis."""
    notes = complaint.analysis_notes or {}
    return Analysis(
        language=complaint.language or "en",
        language_supported=notes.get("language_supported", True),
        heat=complaint.heat,
        heat_label=complaint.heat_label,
        complainer_type=complaint.complainer_type,
        category=complaint.category,
        flags=tuple(complaint.flags or ()),
        entities=tuple(
            Entity(item["kind"], item["text"], item["start"], item["end"])
            for item in complaint.entities or ()
        ),
        evidence={
            key: tuple(Evidence(item["text"], item["start"], item["end"]) for item in items)
            for key, items in (complaint.evidence or {}).items()
        },
        reasons=notes.get("reasons", {}),
        notices=tuple(notes.get("notices", ())),
        kind=_stored_kind(complaint),
    )


def _stored_kind(complaint: Complaint) -> Kind | None:
    stored = (complaint.analysis_notes or {}).get("kind")
    if complaint.kind is None or not stored:
        return None
    words = tuple(
        (item["start"], item["end"]) for item in (complaint.evidence or {}).get("kind", ())
    )
    reasons = tuple(((complaint.analysis_notes or {}).get("reasons") or {}).get("kind", ()))
    return Kind(complaint.kind, stored["scores"], words, reasons)


def current(complaint: Complaint) -> Analysis:
    """The complaint's analysis as stored; one never analysed (rows older than the
    analysis) is analysed here without storing anything: reading a page writes nothing.
    `flask complaints analyze` stores what is missing."""
    if complaint.analyzed_at is None:
        return analyze(complaint.text, channel=complaint.channel_key, language=_chosen(complaint))
    return stored(complaint)
