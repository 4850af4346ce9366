"""The app's clock, template filters and response headers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g
from flask_login import current_user
from markupsafe import Markup, escape

from app.accounts import grants
from app.accounts.permissions import Permission, can
from app.analysis.rules import ENTITY_LABELS, FLAG_LABELS, FLAGS
from app.complaints import inbox
from app.drafts import policy as workflow_policy
from app.drafts.templates import PART_LABELS, Library
from app.extensions import db
from app.settings import company as company_settings
from app.tone import policy as tone_policy


def now() -> datetime:
    """The current time from the app's clock (frozen in tests, the system clock otherwise)."""
    return current_app.extensions["composure.clock"].now()


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(display_zone()).strftime(fmt)


def company_defaults() -> company_settings.CompanyDetails:
    config = current_app.config
    return company_settings.CompanyDetails(
        name=config["COMPANY_NAME"],
        phone=config["COMPANY_PHONE"],
        email=config["COMPANY_EMAIL"],
        faq_url=config["COMPANY_FAQ_URL"],
        dm_instruction=config["COMPANY_DM_INSTRUCTION"],
        follow_up_days=config["FOLLOW_UP_DAYS"],
    )


def company() -> company_settings.CompanyDetails:
    """The company details in force for this request (read once per request)."""
    if "composure_company" not in g:
        g.composure_company = company_settings.load(db.session, company_defaults())
    return g.composure_company


def policy() -> tone_policy.TonePolicy:
    """The tone policy in force for this request (read once per request)."""
    if "composure_tone_policy" not in g:
        g.composure_tone_policy = tone_policy.load(db.session)
    return g.composure_tone_policy


def workflow_defaults() -> workflow_policy.WorkflowPolicy:
    """The workflow policy from configuration alone (what stored settings override)."""
    config = current_app.config
    base = workflow_policy.WorkflowPolicy()
    values = {
        "cooling_off.base_seconds": config["COOLING_OFF_BASE_SECONDS"],
        "cooling_off.hot_extra_seconds": config["COOLING_OFF_HOT_EXTRA_SECONDS"],
        "cooling_off.warn_extra_seconds": config["COOLING_OFF_WARN_EXTRA_SECONDS"],
        "cooling_off.floor_seconds": config["COOLING_OFF_FLOOR_SECONDS"],
        "cooling_off.edit_restart_percent": config["COOLING_OFF_EDIT_RESTART_PERCENT"],
        **{f"signoff.flag.{k}": v for k, v in config["SIGNOFF_FLAGS"].items()},
        **{f"signoff.finding.{k}": v for k, v in config["SIGNOFF_FINDINGS"].items()},
        **{f"publisher.{k}": v for k, v in config["PUBLISHERS"].items()},
    }
    try:
        return workflow_policy.clean(values, base)
    except workflow_policy.WorkflowPolicyError as problem:
        raise RuntimeError(f"Workflow settings in the configuration: {problem}") from problem


def workflow() -> workflow_policy.WorkflowPolicy:
    """The workflow policy in force for this request (read once per request), with the
    follow-up delay the company's replies promise."""
    if "composure_workflow_policy" not in g:
        g.composure_workflow_policy = replace(
            workflow_policy.load(db.session, workflow_defaults()),
            follow_up_days=company().follow_up_days,
        )
    return g.composure_workflow_policy


def tone_setting(complaint, channel=None):
    """What the tone checks need for a reply to `complaint` (on its channel by default)."""
    from app.drafts import service

    return service.tone_setting(
        complaint, channel or complaint.channel, policy=policy(), company=company()
    )


def templates() -> Library:
    return current_app.extensions["composure.templates"]


def compose_draft(complaint, agent):
    """The first draft for a stored complaint, with this app's templates, company details,
    clock and time zone: what the complaint page, the editor and the API all offer."""
    from app.drafts import service

    return service.compose_for(
        db.session,
        complaint,
        library=templates(),
        company=company(),
        agent=agent,
        now=now(),
        timezone=current_app.config["DISPLAY_TIMEZONE"],
    )


def highlight_findings(text: str, findings: list[dict]) -> Markup:
    """The reply with each finding's words marked: focusable, titled with what is wrong and
    described by the finding's entry in the list (`finding-<n>`). Where findings overlap,
    the first (the worst at that place) is marked."""
    out, position = [], 0
    for index, finding in enumerate(findings):
        start, end = finding["start"], finding["end"]
        if start < position or end > len(text) or start >= end:
            continue
        out.append(escape(text[position:start]))
        opening = Markup(
            '<mark class="finding sev-{}" tabindex="0" title="{}: {}" '
            'aria-describedby="finding-{}">'
        ).format(finding["severity"], finding["label"], finding["message"], index)
        out.append(opening + escape(text[start:end]) + Markup("</mark>"))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


def highlight(text: str, spans, css: str = "evidence") -> Markup:
    """The text, escaped, with each (start, end, title) span wrapped in <mark>."""
    spans = sorted(
        (item["start"], item["end"], item.get("title", "")) if isinstance(item, dict) else item
        for item in spans
    )
    out, position = [], 0
    for start, end, title in spans:
        if start < position or end > len(text) or start >= end:
            continue
        out.append(escape(text[position:start]))
        label = Markup(' title="{}"').format(title) if title else Markup("")
        opening = Markup('<mark class="{}"{}>').format(css, label)
        out.append(opening + escape(text[start:end]) + Markup("</mark>"))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def signoff_group_names() -> dict[str, str]:
    """{key: name} of the sign-off groups, read once per request."""
    if "signoff_group_names" not in g:
        g.signoff_group_names = grants.group_names(db.session)
    return g.signoff_group_names


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["duration"] = inbox.human_duration
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.filters["highlight_findings"] = highlight_findings
    # Globals, not context: the editor's tone macros are also rendered on their own.
    app.jinja_env.globals["PART_LABELS"] = PART_LABELS
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject():
        return {
            "Permission": Permission,
            "can": lambda permission: can(current_user, permission),
            "now": now,
            "response_clock": inbox.clock,
            "display_zone_name": app.config["DISPLAY_TIMEZONE"],
            "company_name": company().name if current_user.is_authenticated else "",
            "FLAGS": FLAGS,
            "FLAG_LABELS": FLAG_LABELS,
            "ENTITY_LABELS": ENTITY_LABELS,
            "PART_LABELS": PART_LABELS,
            "signoff_group_names": signoff_group_names,
        }

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
