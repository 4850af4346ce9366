"""Demo data: one user per role, complaints written for this project, replies in the works
and, behind them, a fortnight of answered complaints (`history`) for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import operations
from app.accounts.models import Role
from app.complaints import intake
from app.complaints.models import Complaint
from app.core import datafile
from app.demo import history
from app.drafts import composer, workflow
from app.drafts import operations as drafts
from app.drafts.models import Draft
from app.drafts.policy import WorkflowPolicy
from app.drafts.response_templates import Library
from app.settings import company
from app.settings.models import Setting
from app.tone.policy import TonePolicy

COMPLAINTS_FILE = Path(__file__).with_name("complaints.yaml")

#: The fictional company the demo complaints are about (0808 157 0xxx is an Ofcom range
#: reserved for drama; .example domains never resolve).
DEMO_COMPANY = company.CompanyDetails(
    name="Northwind Home",
    phone="0808 157 0192",
    email="care@northwind.example",
    faq_url="https://help.northwind.example/faq",
    dm_instruction="send us a DM with your order number",
    follow_up_days=2,
)

#: Known passwords, printed by `flask demo`: for trying the product, never for production.
#: Sign-off is by group, one person per group on a reply: Sam signs for legal, Pat for PR.
DEMO_USERS = [
    ("agent@example.com", "Alex Agent", "agent-demo-1", [Role.AGENT], []),
    ("reviewer@example.com", "Riya Reviewer", "reviewer-demo-1", [Role.REVIEWER], []),
    ("signoff@example.com", "Sam Signoff", "signoff-demo-1", [Role.SIGNOFF], ["legal"]),
    ("pr@example.com", "Pat PR", "pat-pr-demo-1", [Role.SIGNOFF], ["pr"]),
    ("admin@example.com", "Ada Admin", "admin-demo-1", [Role.ADMIN], []),
]


@dataclass
class DemoReport:
    users: list[tuple[str, str, list[str]]] = field(default_factory=list)
    complaints_added: int = 0
    complaints_existing: int = 0


def load_demo(session: Session, *, now: datetime) -> DemoReport:
    report = DemoReport()
    for email, name, password, roles, groups in DEMO_USERS:
        if operations.find_user(session, email) is None:
            operations.create_user(
                session,
                email=email,
                name=name,
                roles=set(roles),
                groups=set(groups),
                password=password,
                actor=None,
                now=now,
            )
        report.users.append((email, password, [role.value for role in roles] + groups))

    if session.get(Setting, company.PREFIX + "name") is None:
        admin = operations.find_user(session, DEMO_USERS[-1][0])
        company.save(session, DEMO_COMPANY, actor=admin, now=now)

    channels = intake.load_channels(session)
    items = datafile.rows(COMPLAINTS_FILE)
    for number, item in enumerate(items, start=1):
        data = intake.ComplaintInput(
            channel=item["channel"],
            text=item["text"],
            received_at=now - timedelta(minutes=item["received_minutes_ago"]),
            author_handle=item.get("author_handle", ""),
            author_name=item.get("author_name", ""),
            external_id=f"demo-{number}",
            source="demo",
        )
        valid = intake.validate(data, channels, now=now, max_chars=50_000)
        result = intake.register(session, valid, actor=None, now=now)
        if result.created:
            report.complaints_added += 1
        else:
            report.complaints_existing += 1
    return report


def load_demo_drafts(
    session: Session,
    *,
    library: Library,
    tone_policy: TonePolicy,
    workflow_policy: WorkflowPolicy,
    now: datetime,
) -> int:
    """Replies in the works so every role has something to do on first sign-in: one draft
    being written, one cooling off and waiting for review, one approved and waiting for
    legal's sign-off. Only on complaints that have no draft yet; returns how many."""
    agent = operations.find_user(session, DEMO_USERS[0][0])
    reviewer = operations.find_user(session, DEMO_USERS[1][0])
    complaints = session.scalars(
        select(Complaint).where(Complaint.source == "demo").order_by(Complaint.id)
    ).all()
    sensitive = set(workflow_policy.signoff_flags)
    calm = [
        c
        for c in complaints
        if not set(c.flags or ()) & sensitive
        and c.complainer_type != "aggressive"
        and c.language_read  # a complaint nobody could read is never "calm"
    ]
    legal = [c for c in complaints if "legal_threat" in (c.flags or ())]
    plan = [(calm[:1], "draft"), (calm[1:2], "cooling_off"), (legal[:1], "approved")]
    made = 0
    for chosen, state in plan:
        for complaint in chosen:
            if session.scalar(select(Draft.id).where(Draft.complaint_id == complaint.id)):
                continue
            started = drafts.start_draft(
                session,
                complaint,
                composer.compose_for(
                    complaint,
                    library=library,
                    company=DEMO_COMPANY,
                    agent=agent,
                    now=now,
                    timezone="UTC",
                ),
                tone=composer.tone_setting(
                    complaint, complaint.channel, policy=tone_policy, company=DEMO_COMPANY
                ),
                actor=agent,
                now=now - timedelta(minutes=4),
            )
            draft = started.draft
            if state != "draft":
                workflow.transition(
                    session,
                    draft,
                    workflow.Action.SUBMIT,
                    actor=agent,
                    now=now - timedelta(minutes=3),
                    revision_number=1,
                    policy=workflow_policy,
                )
            if state == "approved":
                workflow.transition(
                    session,
                    draft,
                    workflow.Action.APPROVE,
                    actor=reviewer,
                    now=now - timedelta(minutes=1),
                    revision_number=1,
                    policy=workflow_policy,
                )
            made += 1
    return made


def load_demo_history(
    session: Session,
    *,
    library: Library,
    tone_policy: TonePolicy,
    workflow_policy: WorkflowPolicy,
    now: datetime,
) -> history.HistoryReport:
    """The past fortnight of answered complaints behind the live demo (see `history`);
    adds nothing when it is there already."""
    return history.load_history(
        session,
        emails=[email for email, *_ in DEMO_USERS],
        library=library,
        company=DEMO_COMPANY,
        tone_policy=tone_policy,
        workflow_policy=workflow_policy,
        now=now,
    )
