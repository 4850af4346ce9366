"""Where each settings area stands, for the admin home's cards. No Flask."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent
from app.core.words import N_
from app.drafts import policy as workflow_settings
from app.settings import template_checks
from app.settings.company import CompanyDetails
from app.tone import policy as tone_policy_settings
from app.tone.catalogue import CODE_LABELS, CODES, DEFAULT_SEVERITIES


def tone_changes(current: tone_policy_settings.TonePolicy) -> list[tuple[str, str]]:
    """What the tone policy changes from the defaults: (what, its value now), both English
    message ids or numbers the page translates."""
    changes = [
        (CODE_LABELS[code], current.severity(code))
        for code in CODES
        if current.severity(code) != DEFAULT_SEVERITIES[code]
    ]
    defaults = tone_policy_settings.TonePolicy()
    if current.readability_min != defaults.readability_min:
        changes.append((N_("lowest reading ease"), f"{current.readability_min:g}"))
    if current.negative_at != defaults.negative_at:
        changes.append((N_("negative at"), f"{current.negative_at:g}"))
    return changes


def settings_areas(
    session: Session,
    *,
    company: CompanyDetails,
    tone_policy: tone_policy_settings.TonePolicy,
    workflow_policy: workflow_settings.WorkflowPolicy,
    library: template_checks.LibraryReport,
) -> dict[str, Any]:
    """The company, tone, workflow, library and audit cards, given the settings in force
    and the template library's report."""
    return {
        "company": template_checks.missing_company_details(company),
        "tone": {
            "changes": tone_changes(tone_policy),
            "blocking": [
                CODE_LABELS[code] for code in CODES if tone_policy.severity(code) == "block"
            ],
        },
        "workflow": {
            "cooling_off": workflow_policy.cooling_off,
            "targets": [
                (channel.name, channel.response_target_seconds)
                for channel in workflow_settings.response_targets(session)
                if channel.active
            ],
        },
        "library": library,
        "audit": {
            "count": session.scalar(select(func.count()).select_from(AuditEvent)),
            "latest": session.scalar(select(func.max(AuditEvent.at))),
        },
    }
