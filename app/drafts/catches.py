"""What the tone checks caught before a draft first went to review. No Flask.

An agent fixes much of what the live check flags while typing, and nothing typed is saved
until the draft is, so the findings stored on revisions miss those catches. The live check
writes nothing: the editor keeps the codes it caught (`caught_codes`) in the person's
session, and the next save hands them to `note_tone_catches` with the saved revision's
findings. It keeps the distinct `warn` and `block` codes on the draft (`Draft.tone_catches`)
until the first submission and never after, so "caught before review" means caught before
the first review.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.drafts.models import Draft
from app.tone.catalogue import BLOCK, WARN, Finding

#: Severities that count as a catch; `info` findings are advice, not a problem caught.
CAUGHT_SEVERITIES = frozenset({WARN, BLOCK})


def never_submitted(draft: Draft) -> bool:
    """Still being written and never submitted: submitting starts cooling-off, and the
    time it ends stays on the draft from then on."""
    return draft.is_being_written and draft.cooling_off_until is None


def _code_and_severity(finding: Finding | Mapping[str, Any]) -> tuple[str | None, str | None]:
    if isinstance(finding, Finding):
        return finding.code, finding.severity
    return finding.get("code"), finding.get("severity")


def caught_codes(findings: Iterable[Finding | Mapping[str, Any]]) -> list[str]:
    """The distinct codes of `findings` that warn or block, in the order found."""
    caught: list[str] = []
    for finding in findings:
        code, severity = _code_and_severity(finding)
        if code and severity in CAUGHT_SEVERITIES and code not in caught:
            caught.append(code)
    return caught


def note_tone_catches(draft: Draft, findings: Iterable[Finding | Mapping[str, Any]]) -> bool:
    """Add the codes of `findings` that warn or block to what the checks caught on this
    draft, while it has never been submitted. Returns whether anything was added.

    Takes `Finding`s or stored finding dicts alike. The caller flushes and commits.
    """
    return note_caught_codes(draft, caught_codes(findings))


def note_caught_codes(draft: Draft, codes: Iterable[str]) -> bool:
    """Add `codes` (from `caught_codes`) to what the checks caught on this draft, while it
    has never been submitted. Returns whether anything was added."""
    if not never_submitted(draft):
        return False
    before = list(draft.tone_catches or [])
    caught = before + [code for code in dict.fromkeys(codes) if code not in before]
    if caught == before:
        return False
    # A new list, so SQLAlchemy sees the JSON column change.
    draft.tone_catches = caught
    return True
