"""What composing and checking a reply for a stored complaint needs: the composition
(`compose_for`), the tone setting (`ToneSetting`) and where each part sits in the text.

Shared by the complaint page, the draft editor, the API and the demo, so all offer the same
parts and alternatives and check them the same way. `app.services` builds them with the
settings in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.accounts.models import User
from app.analysis import Analysis
from app.channels import ChannelInfo, Fit, fit
from app.complaints import reading
from app.complaints.models import Channel, Complaint
from app.core.business_time import BusinessCalendar
from app.drafts import guards
from app.drafts.builder import Composition, Sources, compose, joiner
from app.drafts.response_templates import PARTS, Library
from app.settings.company import CompanyDetails
from app.tone import checker
from app.tone.checks import ComplaintContext, Contact
from app.tone.policy import TonePolicy

#: Revision.parts key for an attack's holding reply (no four parts).
HOLDING_REPLY = "holding_reply"
#: Revision.parts key for a reply written as one text (through the API, or a follow-up):
#: the four parts are looked for in the text itself.
FREE_TEXT = "reply"


def channel_info(channel: Channel) -> ChannelInfo:
    return ChannelInfo.of(channel)


def compose_for(
    complaint: Complaint,
    *,
    library: Library,
    company: CompanyDetails,
    agent: User | None,
    now: datetime,
    timezone: str,
    language: str | None = None,
    calendar: BusinessCalendar | None = None,
) -> Composition:
    """The first draft for a stored complaint: in its language, or in `language`."""
    return compose(
        library,
        reading.current(complaint),
        channel_info(complaint.channel),
        Sources(
            company=company,
            agent_name=agent.name if agent else "",
            customer_name=complaint.author_name,
            handle=complaint.author_handle,
            now=now,
            timezone=timezone,
            calendar=calendar,
            seed=str(complaint.id),
        ),
        language=language,
    )


def compose_for_text(
    text: str,
    found: Analysis,
    channel: Channel,
    *,
    library: Library,
    company: CompanyDetails,
    agent: User | None,
    customer_name: str,
    handle: str,
    now: datetime,
    timezone: str,
    language: str | None = None,
    calendar: BusinessCalendar | None = None,
) -> Composition:
    """The first draft for a complaint's text that is not stored (the API's compose)."""
    return compose(
        library,
        found,
        channel_info(channel),
        Sources(
            company=company,
            agent_name=agent.name if agent else "",
            customer_name=customer_name,
            handle=handle,
            now=now,
            timezone=timezone,
            calendar=calendar,
            seed=text,
        ),
        language=language,
    )


def assemble_with_spans(
    parts: dict[str, str], *, public: bool
) -> tuple[str, dict[str, tuple[int, int]]]:
    """The reply text from its parts, in the order of the four, and where each part sits."""
    order = [part for part in PARTS if part in parts] + [
        part for part in parts if part not in PARTS
    ]
    glue = joiner(public)
    pieces, spans, position = [], {}, 0
    for part in order:
        value = parts[part].strip()
        if not value:
            continue
        if pieces:
            position += len(glue)
        spans[part] = (position, position + len(value))
        pieces.append(value)
        position += len(value)
    return glue.join(pieces), spans


@dataclass(frozen=True)
class ToneSetting:
    """Everything the tone checks need about a draft besides its text."""

    channel: ChannelInfo
    complaint: ComplaintContext | None
    policy: TonePolicy
    contact: Contact

    def check_text(self, text: str, *, language: str | None = None) -> checker.ToneReport:
        return checker.check(
            text,
            channel=self.channel,
            policy=self.policy,
            complaint=self.complaint,
            language=language,
            contact=self.contact,
        )

    def check_parts(self, parts: dict[str, str]) -> checker.ToneReport:
        """Check the reply the parts make; a missing part points at its box."""
        text, spans = assemble_with_spans(parts, public=self.channel.is_public)
        return checker.check(
            text,
            channel=self.channel,
            policy=self.policy,
            complaint=self.complaint,
            parts=parts,
            part_spans=spans,
            four_parts=HOLDING_REPLY not in parts,
            contact=self.contact,
            cached=True,
        )


def tone_setting(
    complaint: Complaint | None,
    channel: Channel,
    *,
    policy: TonePolicy,
    company: CompanyDetails,
) -> ToneSetting:
    return ToneSetting(
        channel=channel_info(channel),
        complaint=ComplaintContext(
            text=complaint.text,
            language=complaint.language or "en",
            flags=tuple(complaint.flags or ()),
            angry=(complaint.analysis_notes or {}).get("anger"),
            heat=complaint.heat_label,
            follow_up=complaint.first_replied_at is not None,
        )
        if complaint is not None
        else None,
        policy=policy,
        contact=Contact(phone=company.phone, email=company.email),
    )


def part_offsets(finding: dict[str, Any], spans: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The finding with where it falls inside one part's box, so the editor can apply a
    suggestion to that box ("part", "part_start", "part_end", "part_replace_*")."""
    for part, (start, end) in spans.items():
        if start <= finding["start"] and finding["end"] <= end:
            located = {**finding, "part": part}
            for key in ("start", "end", "replace_start", "replace_end"):
                if key in finding and finding[key] is not None:
                    located[f"part_{key}"] = min(max(finding[key] - start, 0), end - start)
            return located
    return {**finding, "part": None}


@dataclass(frozen=True)
class PartsCheck:
    """The tone report on a reply's parts, as the editor shows it: each finding placed in
    its part's box, and why the text cannot move on (None when nothing blocks it)."""

    text: str
    #: How the reply sits on its channel: fits one post, or the thread it goes out as.
    fit: Fit
    report: dict[str, Any]
    findings: list[dict[str, Any]]
    refusal: str | None


def check_parts(tone: ToneSetting, parts: dict[str, str]) -> PartsCheck:
    report = tone.check_parts(parts)
    # A part this reply need not have shows in the checklist, not as a finding.
    findings = [
        part_offsets(f.to_dict(report.text), report.part_spans)
        for f in report.findings
        if f.details.get("expected") is not False
    ]
    return PartsCheck(
        text=report.text,
        fit=fit(report.text, tone.channel),
        report=report.to_dict(),
        findings=findings,
        refusal=guards.tone_refusal(findings),
    )
