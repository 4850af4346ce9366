"""Demo data: one user per role and complaints written for this project."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from app.accounts import operations
from app.accounts.models import Role
from app.complaints import intake
from app.settings import company
from app.settings.models import Setting

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
DEMO_USERS = [
    ("agent@example.com", "Alex Agent", "agent-demo-1", [Role.AGENT]),
    ("reviewer@example.com", "Riya Reviewer", "reviewer-demo-1", [Role.REVIEWER]),
    ("signoff@example.com", "Sam Signoff", "signoff-demo-1", [Role.SIGNOFF]),
    ("admin@example.com", "Ada Admin", "admin-demo-1", [Role.ADMIN]),
]


@dataclass
class DemoReport:
    users: list[tuple[str, str, list[str]]] = field(default_factory=list)
    complaints_added: int = 0
    complaints_existing: int = 0


def load_demo(session: Session, *, now: datetime) -> DemoReport:
    report = DemoReport()
    for email, name, password, roles in DEMO_USERS:
        if operations.find_user(session, email) is None:
            operations.create_user(
                session,
                email=email,
                name=name,
                roles=set(roles),
                password=password,
                actor=None,
                now=now,
            )
        report.users.append((email, password, [role.value for role in roles]))

    if session.get(Setting, company.PREFIX + "name") is None:
        admin = operations.find_user(session, DEMO_USERS[-1][0])
        company.save(session, DEMO_COMPANY, actor=admin, now=now)

    channels = intake.load_channels(session)
    items = yaml.safe_load(COMPLAINTS_FILE.read_text(encoding="utf-8"))
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
