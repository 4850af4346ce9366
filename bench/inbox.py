"""How fast the inbox answers with 100,000 complaints in SQLite.

Builds a fresh SQLite database from the migrations, stores 100,000 complaints across every
channel and status (the texts cycle through the real customer tweets of
../shared/data/twcs_sample when present; one in ten is taken by the signed-in agent, and
each replied complaint has a follow-up, half of them done), signs in an agent and times
whole requests in-process through the Flask test client: routing, session, query,
template. The baseline, timed in the same run, is the sign-in page, which touches no
complaint. The search rows read every open complaint's text (no index can serve a
substring match); the default inbox never runs them.

    .venv/bin/python bench/inbox.py [--rows 100000] [--repeat 200]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade
from sqlalchemy import insert

from app import create_app
from app.accounts import operations
from app.accounts.models import Role
from app.complaints.models import Complaint, ComplaintStatus
from app.core.clock import FrozenClock
from app.drafts.models import FollowUp
from app.extensions import db
from bench.report import p99  # noqa: E402

TWCS = ROOT.parent / "shared" / "data" / "twcs_sample" / "twcs.csv"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CHANNELS = {
    "x": 3600,
    "facebook": 3600,
    "instagram": 3600,
    "review": 3600,
    "dm": 86400,
    "email": 86400,
}


def texts() -> list[str]:
    if TWCS.exists():
        with TWCS.open(encoding="utf-8", newline="") as handle:
            rows = [row["text"] for row in csv.DictReader(handle) if row["inbound"] == "True"]
        if rows:
            return rows
    return [f"Synthetic complaint {n} about order NW-{n}" for n in range(1000)]


def fill(rows: int, agent_id: int) -> None:
    rng = random.Random(7)
    pool = texts()
    statuses = (
        [ComplaintStatus.NEW] * 5
        + [ComplaintStatus.IN_PROGRESS] * 2
        + [ComplaintStatus.REPLIED] * 2
        + [ComplaintStatus.RESOLVED]
    )
    batch = []
    for n in range(rows):
        channel = rng.choice(list(CHANNELS))
        received = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 14))
        status = rng.choice(statuses)
        batch.append(
            {
                "channel_key": channel,
                "dedupe_key": f"{channel}:id:bench-{n}",
                "source": "csv",
                "external_id": f"bench-{n}",
                "author_handle": f"@user{n % 5000}",
                "author_name": "",
                "text": pool[n % len(pool)],
                "url": None,
                "received_at": received,
                "response_due_at": received + timedelta(seconds=CHANNELS[channel]),
                "status": status,
                "created_at": NOW,
                "flags": [],
                "entities": [],
                "evidence": {},
                "resolved_at": NOW if status is ComplaintStatus.RESOLVED else None,
                "assignee_id": agent_id if n % 10 == 0 else None,
            }
        )
        if len(batch) == 5000:
            db.session.execute(insert(Complaint), batch)
            batch = []
    if batch:
        db.session.execute(insert(Complaint), batch)
    replied = db.session.execute(
        Complaint.__table__.select()
        .with_only_columns(Complaint.id, Complaint.received_at)
        .where(Complaint.status == ComplaintStatus.REPLIED)
    ).all()
    follow_ups = [
        {
            "complaint_id": complaint_id,
            "due_at": received + timedelta(days=3),
            "done_at": NOW if n % 2 else None,
            "done_by_id": agent_id if n % 2 else None,
            "note": "",
            "created_at": NOW,
        }
        for n, (complaint_id, received) in enumerate(replied)
    ]
    for start in range(0, len(follow_ups), 5000):
        db.session.execute(insert(FollowUp), follow_ups[start : start + 5000])
    db.session.commit()


def timed(client, path: str, repeat: int) -> list[float]:
    for _ in range(5):  # warm caches and compiled statements
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "CLOCK": FrozenClock(NOW),
            }
        )
        with app.app_context():
            upgrade()
            agent = operations.create_user(
                db.session,
                email="bench@example.com",
                name="Bench",
                roles={Role.AGENT},
                password="bench password",
                actor=None,
                now=NOW,
            )
            db.session.commit()
            started = time.perf_counter()
            fill(args.rows, agent.id)
            filled = time.perf_counter() - started
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.com", "password": "bench password"})

        cases = [
            ("baseline: sign-in page (no complaints read)", "/login?next=/"),
            ("inbox, open, page 1", "/"),
            ("inbox, open, X only, page 1", "/?channel=x"),
            ("inbox, every status, page 1", "/?status=all"),
            ("inbox, open, page 1,000", "/?page=1000"),
            ("inbox, open, taken by me, page 1", "/?assignee=me"),
            ("inbox, open, unassigned, page 1", "/?assignee=none"),
            ("inbox, search a word, page 1", "/?q=delivery"),
            ("inbox, search a handle, X only", "/?q=%40user42&channel=x"),
            ("inbox, search #id", "/?q=%2354321&status=all"),
            ("inbox, search with no match", "/?q=zqxj"),
            ("API list, open, 25 per page", None),
        ]
        results = []
        for label, path in cases:
            if path is None:
                from app.accounts.models import User

                with app.app_context():
                    user = db.session.query(User).one()
                    _, token = operations.create_api_token(
                        db.session, user=user, name="bench", actor=None, now=NOW
                    )
                    db.session.commit()
                api = app.test_client()
                api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
                samples = timed(api, "/api/v1/complaints", args.repeat)
            elif path.startswith("/login"):
                samples = timed(app.test_client(), path, args.repeat)
            else:
                samples = timed(client, path, args.repeat)
            results.append((label, statistics.median(samples), p99(samples)))

    baseline = results[0][1]
    print(
        f"Inbox with {args.rows:,} complaints in SQLite "
        f"(filled in {filled:.1f} s; {args.repeat} requests per row, in-process)"
    )
    print(f"{'request':46} {'median ms':>10} {'p99 ms':>8} {'x baseline':>11}")
    for label, median, high in results:
        print(f"{label:46} {median:10.2f} {high:8.2f} {median / baseline:11.2f}")
    target = max(median for label, median, _ in results if label.startswith("inbox"))
    print(
        f"target: inbox median < 100 ms -> slowest inbox median {target:.2f} ms: "
        f"{'met' if target < 100 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
