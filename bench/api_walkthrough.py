"""A full run of the reply workflow through the JSON API, printed step by step.

    python bench/api_walkthrough.py

Runs the app on a fresh SQLite database (in a temporary folder) with a test clock, so
cooling-off passes without waiting, and prints every request with what came back:
compose, submit, early publish refused, self-approval refused, approve, edit voids the
approval, approve again, sign-off required and given, publish after cooling-off, publish
again (the same publication), the posted link, resolve, audit verify.
tests/test_api_workflow.py runs the same walk and checks every answer.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

COMPLAINT = (
    "@NorthwindHome you charged me twice for the Oslo sofa (order NW-48213) and nobody "
    "answers. Refund me today or my solicitor will be in touch."
)


@dataclass
class Step:
    title: str
    method: str
    path: str
    role: str
    status: int
    body: dict[str, Any]
    payload: dict[str, Any] | None = None


@dataclass
class Walk:
    steps: list[Step] = field(default_factory=list)

    def __getitem__(self, title: str) -> Step:
        return next(step for step in self.steps if step.title == title)


#: call(method, path, role, json) -> (status, body)
Call = Callable[[str, str, str, dict | None], tuple[int, dict]]


def walk(call: Call, advance: Callable[[float], None]) -> Walk:
    """The whole flow. The author is an admin (who may also review), so self-approval can
    be tried for real; `reviewer` and `signoff` are colleagues."""
    run = Walk()

    def step(title: str, method: str, path: str, role: str, payload: dict | None = None):
        status, body = call(method, path, role, payload)
        run.steps.append(Step(title, method, path, role, status, body, payload))
        return body

    complaint = step(
        "the complaint comes in",
        "POST",
        "/api/v1/complaints",
        "agent",
        {"channel": "x", "text": COMPLAINT, "author_handle": "@kim_p", "external_id": "186"},
    )
    drafts = f"/api/v1/complaints/{complaint['id']}/drafts"
    draft = step("compose: the four-part draft", "POST", drafts, "admin", {})
    path = f"/api/v1/drafts/{draft['id']}"
    step("submit", "POST", f"{path}/submit", "admin", {"revision": 1})
    step("publish at once", "POST", f"{path}/publish", "admin", {"revision": 1})
    step("the author approves", "POST", f"{path}/approve", "admin", {"revision": 1})
    step("a colleague approves", "POST", f"{path}/approve", "reviewer", {"revision": 1})
    advance(300)
    step(
        "the author edits",
        "PATCH",
        path,
        "admin",
        {"revision": 1, "parts": {"close_loop": "I'll update you by 5pm today, Kim. ^Alex"}},
    )
    step("approve what was read before", "POST", f"{path}/approve", "reviewer", {"revision": 1})
    step("approve the new revision", "POST", f"{path}/approve", "reviewer", {"revision": 2})
    advance(3600)
    step("cooling-off over, publish", "POST", f"{path}/publish", "admin", {"revision": 2})
    step(
        "legal signs off",
        "POST",
        f"{path}/sign-off",
        "signoff",
        {"revision": 2, "group": "legal", "comment": "No admission; fine to go."},
    )
    step("where it stands", "GET", path, "agent")
    step("publish", "POST", f"{path}/publish", "admin", {"revision": 2})
    step("publish again (double click)", "POST", f"{path}/publish", "admin", {"revision": 2})
    step(
        "the link of the posted reply",
        "POST",
        f"{path}/publication/link",
        "admin",
        {"url": "https://x.com/NorthwindHome/status/1860000000000000001"},
    )
    step(
        "resolve",
        "POST",
        f"/api/v1/complaints/{complaint['id']}/resolve",
        "admin",
        {"note": "Refund sent."},
    )
    return run


def summary(body: dict) -> str:
    """The few fields that tell the story of a response."""
    if "error" in body:
        return f"error {body['error']['code']}: {body['error']['message']}"
    keys = ("state", "revision", "cooling_off_until", "requires_signoff", "created", "status")
    shown = [f"{key}={body[key]}" for key in keys if key in body and body[key] is not None]
    if "approvals" in body:
        shown.append(f"approvals={[a['reviewer'] for a in body['approvals']]}")
    if body.get("missing_signoff"):
        shown.append(f"missing_signoff={body['missing_signoff']}")
    if "publish_refusals" in body:
        shown.append(f"publish_refusals={[r['code'] for r in body['publish_refusals']]}")
    if body.get("publication"):
        publication = body["publication"]
        shown.append(
            f"publication={publication['id']} {publication['adapter']} {publication['status']}"
        )
    if "id" in body and "state" not in body:
        shown.insert(0, f"id={body['id']}")
    return ", ".join(shown)


def main() -> None:
    from app import create_app
    from app.accounts import operations
    from app.accounts.models import Role
    from app.core.clock import FrozenClock
    from app.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="composure-walk-"))
    clock = FrozenClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'walk.sqlite3'}",
            "CLOCK": clock,
            "SECRET_KEY": "walkthrough",
            "COMPANY_PHONE": "0808 157 0192",
        }
    )
    tokens = {}
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        for role, name in (
            (Role.AGENT, "Alex Agent"),
            (Role.ADMIN, "Ada Admin"),
            (Role.REVIEWER, "Riya Reviewer"),
            (Role.SIGNOFF, "Sam Signoff"),
        ):
            user = operations.create_user(
                db.session,
                email=f"{role.value}@example.com",
                name=name,
                roles={role},
                password="correct horse battery",
                actor=None,
                now=clock.now(),
            )
            db.session.flush()
            tokens[role.value] = operations.create_api_token(
                db.session, user=user, name="walk", actor=None, now=clock.now()
            )[1]
        db.session.commit()
    client = app.test_client()

    def call(method: str, path: str, role: str, payload: dict | None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        response = client.open(path, method=method, headers=headers, json=payload)
        return response.status_code, response.get_json()

    run = walk(call, lambda seconds: clock.advance(seconds=seconds))
    print(f"clock starts at {datetime(2026, 11, 23, 9, 0, tzinfo=UTC).isoformat()}")
    for number, step in enumerate(run.steps, start=1):
        print(
            f"{number:2}. {step.title}: {step.method} {step.path} as {step.role} -> {step.status}"
        )
        print(f"      {summary(step.body)}")
    verify = app.test_cli_runner().invoke(args=["audit", "verify"])
    print(f"flask audit verify -> {verify.output.strip()}")


if __name__ == "__main__":
    main()
