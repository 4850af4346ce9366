"""What must hold before a draft's text may move on. No Flask: the editor, the API and the
workflow transitions (submit, publish) all ask here, so the UI cannot skip a guard.
"""

from __future__ import annotations

from typing import Any

from app.tone.catalogue import BLOCK, CODE_LABELS


def blocking_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [finding for finding in findings if finding.get("severity") == BLOCK]


def tone_refusal(findings: list[dict[str, Any]]) -> str | None:
    """Why the text cannot be submitted or published, or None when no finding blocks it."""
    blocking = blocking_findings(findings)
    if not blocking:
        return None
    labels = []
    for finding in blocking:
        label = CODE_LABELS.get(finding["code"], finding["code"])
        if label not in labels:
            labels.append(label)
    count = len(blocking)
    return (
        f"{count} problem{'s' if count != 1 else ''} must be fixed before this reply can go "
        f"further: {', '.join(labels)}."
    )
