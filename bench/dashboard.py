"""How fast the dashboard's figures come with 20,000 complaints over 90 days in SQLite.

Builds a fresh SQLite database from the migrations and fills it with a synthetic but
realistically shaped quarter: complaints on every channel (busier on weekdays and in
working hours), most answered on time and some late, a draft per answered complaint with
its revisions, reviews (about one in four asks for changes first), sign-offs where needed,
publications and the audit events each step writes; tone catches on about half the drafts.
Then times `app.reports.metrics.dashboard` (every figure on the page) for the last 14 and
90 days, and the whole page request for both, against a baseline measured in the same
run: one page of the inbox (`app.complaints.inbox.list_page`, open complaints, 25 a page).

    .venv/bin/python bench/dashboard.py [--complaints 20000] [--repeat 20]

Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from app import create_app
from app.accounts import operations
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.complaints import inbox
from app.complaints.models import Complaint, ComplaintStatus
from app.core.clock import FrozenClock
from app.drafts.models import Draft, DraftState, Review, ReviewDecision, Revision, SignOff
from app.extensions import db
from app.reports import metrics, ranges
from bench.report import p99  # noqa: E402

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAYS = 90
CHANNELS = {"x": 3600, "facebook": 3600, "instagram": 3600, "review": 3600}
CHANNELS |= {"dm": 86400, "email": 86400}
#: Relative volume by weekday, Monday first, and by hour of the day.
WEEKDAY = (1.2, 1.2, 1.1, 1.1, 1.0, 0.6, 0.5)
CODES = ("blame", "non_apology", "dismissive", "overpromise", "shouting", "missing_direction")
BATCH = 5000


class Rows:
    """Rows per table, inserted in batches (ids given here, so rows can refer to each
    other before they are stored)."""

    def __init__(self) -> None:
        self.tables: dict[type, list[dict]] = {}
        self.ids: dict[type, int] = {}
        self.last_hash = "0" * 64

    def add(self, model: type, **values) -> int:
        self.ids[model] = self.ids.get(model, 0) + 1
        values["id"] = self.ids[model]
        self.tables.setdefault(model, []).append(values)
        return values["id"]

    def event(self, at: datetime, action: str, draft_id: int | None, complaint_id: int, **kw):
        # A well-formed chain, as the app writes it, without the cost of reading it back.
        digest = hashlib.sha256(f"{self.last_hash}{action}{at}{draft_id}".encode()).hexdigest()
        self.add(
            AuditEvent,
            at=at,
            actor_id=kw.pop("actor_id", None),
            action=action,
            entity_type="draft" if draft_id else "complaint",
            entity_id=draft_id or complaint_id,
            complaint_id=complaint_id,
            draft_id=draft_id,
            revision=kw.pop("revision", None),
            details={},
            prev_hash=self.last_hash,
            hash=digest,
            **kw,
        )
        self.last_hash = digest

    def flush(self) -> None:
        order = (Complaint, Draft, Revision, Review, SignOff, AuditEvent)
        for model in order:
            rows = self.tables.get(model, [])
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(model), rows[start : start + BATCH])
        db.session.commit()


def arrival(rng: random.Random) -> datetime:
    while True:
        moment = NOW - timedelta(minutes=rng.randint(0, DAYS * 24 * 60))
        hour_weight = 1.0 if 8 <= moment.hour < 20 else 0.25
        if rng.random() < WEEKDAY[moment.weekday()] / 1.2 * hour_weight:
            return moment


def fill(count: int, people: dict[str, list[int]]) -> dict[str, int]:
    rng = random.Random(11)
    rows = Rows()
    # Carry on after what the app has written already (the users and their audit events).
    rows.ids[AuditEvent] = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    rows.last_hash = (
        db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
        or rows.last_hash
    )
    published = 0
    for n in range(count):
        channel = rng.choice(list(CHANNELS))
        target = timedelta(seconds=CHANNELS[channel])
        received = arrival(rng)
        answered = (received < NOW - timedelta(hours=6) and rng.random() < 0.97) or (
            rng.random() < 0.5
        )
        late = rng.random() < 0.15
        start = received + (
            target * rng.uniform(1.0, 2.5) if late else target * rng.uniform(0.05, 0.4)
        )
        answered = answered and start < NOW - timedelta(minutes=40)
        status = ComplaintStatus.NEW
        complaint_id = rows.add(
            Complaint,
            channel_key=channel,
            dedupe_key=f"{channel}:id:bench-{n}",
            source="csv",
            external_id=f"bench-{n}",
            author_handle=f"@user{n % 4000}",
            author_name="",
            text=f"Synthetic complaint {n} about order NW-{n}",
            received_at=received,
            response_due_at=received + target,
            status=status,
            created_at=received,
            flags=[],
            entities=[],
            evidence={},
            analysis_notes={},
        )
        rows.event(received, "complaint.created", None, complaint_id, to_state="new")
        if not answered:
            continue
        author = rng.choice(people["agents"])
        reviewer = rng.choice(people["reviewers"])
        draft_id = rows.ids.get(Draft, 0) + 1
        t = start
        rows.event(t, "draft.created", draft_id, complaint_id, to_state="draft", actor_id=author)
        revision_id = rows.add(
            Revision,
            draft_id=draft_id,
            number=1,
            author_id=author,
            text="Sorry for the wait.",
            parts={},
            template_ids={},
            findings=[],
            has_blocking_findings=False,
            created_at=t,
        )
        reviews = []
        signer = people["signers"][0]

        def move(at, action, before, after, actor, draft_id=draft_id, complaint_id=complaint_id):
            rows.event(
                at, action, draft_id, complaint_id, from_state=before, to_state=after,
                actor_id=actor,
            )  # fmt: skip

        t += timedelta(minutes=rng.uniform(2, 12))
        move(t, "draft.submit", "draft", "cooling_off", author)
        if rng.random() < 0.25:
            t += timedelta(minutes=rng.uniform(3, 20))
            reviews.append((t, ReviewDecision.CHANGES_REQUESTED))
            move(t, "draft.request_changes", "cooling_off", "changes_requested", reviewer)
            t += timedelta(minutes=rng.uniform(3, 15))
            move(t, "draft.submit", "changes_requested", "cooling_off", author)
        cooling_until = t + timedelta(minutes=10)
        t += timedelta(minutes=rng.uniform(2, 15))
        reviews.append((t, ReviewDecision.APPROVED))
        move(t, "draft.approve", "cooling_off", "approved", reviewer)
        if rng.random() < 0.15:
            t += timedelta(minutes=rng.uniform(5, 40))
            rows.add(
                SignOff,
                draft_id=draft_id,
                revision_id=revision_id,
                signer_id=signer,
                group="legal",
                approved=True,
                comment="",
                created_at=t,
            )
            move(t, "draft.sign_off", "approved", "approved", signer)
        t = max(t, cooling_until) + timedelta(minutes=rng.uniform(1, 10))
        done = t < NOW
        if done:
            move(t, "draft.publish", "approved", "published", author)
            published += 1
        rows.add(
            Draft,
            complaint_id=complaint_id,
            author_id=author,
            channel_key=channel,
            state=DraftState.PUBLISHED if done else DraftState.APPROVED,
            current_revision=1,
            cooling_off_until=cooling_until,
            requires_signoff=False,
            signoff_reasons=[],
            created_at=start,
            updated_at=t,
            published_at=t if done else None,
            version=1,
            tone_catches=rng.sample(CODES, rng.choice((0, 0, 1, 1, 2))),
        )
        for at, decision in reviews:
            rows.add(
                Review,
                draft_id=draft_id,
                revision_id=revision_id,
                reviewer_id=reviewer,
                decision=decision,
                comment="" if decision == ReviewDecision.APPROVED else "Give a date.",
                created_at=at,
            )
        complaint = rows.tables[Complaint][-1]
        if done:
            complaint["first_replied_at"] = t
            complaint["status"] = ComplaintStatus.REPLIED
        else:
            complaint["status"] = ComplaintStatus.IN_PROGRESS
    rows.flush()
    return {
        "complaints": count,
        "drafts": rows.ids.get(Draft, 0),
        "published": published,
        "reviews": rows.ids.get(Review, 0),
        "audit events": rows.ids.get(AuditEvent, 0),
    }


def timed(call, repeat: int) -> list[float]:
    for _ in range(3):  # warm caches and compiled statements
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    zone = ZoneInfo("UTC")

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "CLOCK": FrozenClock(NOW),
                "ANALYSIS_WARM_UP": False,
            }
        )
        with app.app_context():
            upgrade()
            people: dict[str, list[int]] = {"agents": [], "reviewers": [], "signers": []}
            for kind, role, many in (
                ("agents", Role.AGENT, 8),
                ("reviewers", Role.REVIEWER, 3),
                ("signers", Role.SIGNOFF, 1),
            ):
                for number in range(many):
                    user = operations.create_user(
                        db.session,
                        email=f"{kind}{number}@example.com",
                        name=f"{kind.title()} {number}",
                        roles={role},
                        password="bench password",
                        actor=None,
                        now=NOW,
                    )
                    people[kind].append(user.id)
            db.session.commit()
            started = time.perf_counter()
            sizes = fill(args.complaints, people)
            filled = time.perf_counter() - started

            def figures(days: int):
                period = ranges.last_days(days, today=NOW.date(), zone=zone)
                return lambda: metrics.dashboard(
                    db.session,
                    start=period.start,
                    end=period.end,
                    now=NOW,
                    zone=zone,
                    by_week=period.by_week,
                )

            def inbox_page():
                inbox.list_page(db.session, inbox.InboxFilter(), page=1, per_page=25)

            cases = [
                ("baseline: inbox.list_page, open, page 1", inbox_page),
                ("dashboard figures, last 14 days", figures(14)),
                ("dashboard figures, last 90 days", figures(90)),
            ]
            results = [(label, timed(call, args.repeat)) for label, call in cases]
            sample = figures(90)()
        client = app.test_client()
        client.post("/login", data={"email": "agents0@example.com", "password": "bench password"})
        for days in (14, 90):

            def page(days=days):
                assert client.get(f"/dashboard?days={days}").status_code == 200

            results.append((f"whole /dashboard page, last {days} days", timed(page, args.repeat)))

    print(
        f"Dashboard over {DAYS} days in SQLite: "
        + ", ".join(f"{value:,} {name}" for name, value in sizes.items())
        + f" (filled in {filled:.1f} s; {args.repeat} runs per row, in-process)"
    )
    print(
        f"  the last 90 days read as: {sample.replies.totals.total:,} complaints, "
        f"{sample.published:,} published, {sample.reviews.total:,} reviews, "
        f"{sum(row.count for row in sample.state_times):,} state stays"
    )
    baseline = statistics.median(results[0][1])
    print(f"{'case':44} {'median ms':>10} {'p99 ms':>8} {'x baseline':>11}")
    for label, samples in results:
        median = statistics.median(samples)
        print(f"{label:44} {median:10.2f} {p99(samples):8.2f} {median / baseline:11.1f}")


if __name__ == "__main__":
    main()
