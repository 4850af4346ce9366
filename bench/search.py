"""How fast the inbox's word search answers over 100,000 complaints, on SQLite and PostgreSQL.

Builds each database from the migrations (so the word index is the one migration
0016_volume makes: FTS5 on SQLite, GIN on to_tsvector on PostgreSQL), stores 100,000
complaints whose texts cycle through the real customer tweets of
../shared/data/twcs_sample (synthetic texts when it is absent), and times the inbox's own
query as the page runs it: the count the page shows, then the first page of 25, most
urgent first (`app.complaints.inbox.list_page`). The baseline, timed in the same run on the
same rows, is the search before this change: a case-insensitive substring LIKE over the
text, name and handle (which no index serves).

    .venv/bin/python bench/search.py [--rows 100000] [--repeat 30] [--postgres URL]

PostgreSQL runs when --postgres or TEST_POSTGRES_URL names a role that may CREATE DATABASE
(a database "composure_bench_search" is made and dropped).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.complaints import inbox  # noqa: E402
from app.complaints.models import Complaint, ComplaintStatus  # noqa: E402
from app.core.clock import FrozenClock  # noqa: E402
from app.extensions import db  # noqa: E402
from bench.report import p99, table  # noqa: E402

TWCS = ROOT.parent / "shared" / "data" / "twcs_sample" / "twcs.csv"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PER_PAGE = 25
BENCH_DB = "composure_bench_search"
QUERIES = [
    "charged twice",
    "delivery",
    "refund",
    "order never arrived",
    '"customer service"',
    "late",
    "@user42",
    "internet down again",
    "zqxj",
]
#: The inbox filters the searches run under: the default (open) and every status.
STATUSES = ("open", "all")


@dataclass(frozen=True)
class LikeSearch(inbox.Search):
    """The search before issue 18: the words as one substring of text, name or handle."""

    def condition(self):
        words = self.text.lower()
        return sa.or_(
            sa.func.lower(Complaint.text).contains(words, autoescape=True),
            sa.func.lower(Complaint.author_name).contains(words, autoescape=True),
            sa.func.lower(Complaint.author_handle).contains(words, autoescape=True),
        )


def texts() -> list[str]:
    if TWCS.exists():
        with TWCS.open(encoding="utf-8", newline="") as handle:
            rows = [row["text"] for row in csv.DictReader(handle) if row["inbound"] == "True"]
        if rows:
            return rows
    words = ["order", "parcel", "refund", "charged", "twice", "late", "delivery", "service"]
    rng = random.Random(3)
    return [" ".join(rng.choice(words) for _ in range(12)) for _ in range(2000)]


def fill(rows: int) -> None:
    rng = random.Random(7)
    pool = texts()
    statuses = [ComplaintStatus.NEW] * 6 + [ComplaintStatus.IN_PROGRESS] * 2
    statuses += [ComplaintStatus.REPLIED, ComplaintStatus.CLOSED]
    batch = []
    for n in range(rows):
        received = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 14))
        batch.append(
            {
                "channel_key": "x",
                "dedupe_key": f"x:id:bench-{n}",
                "source": "csv",
                "author_handle": f"@user{n % 5000}",
                "author_name": "",
                "text": pool[n % len(pool)],
                "received_at": received,
                "response_due_at": received + timedelta(hours=1),
                "status": rng.choice(statuses),
                "created_at": NOW,
                "flags": [],
                "entities": [],
                "evidence": {},
            }
        )
        if len(batch) == 5000:
            db.session.execute(sa.insert(Complaint), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Complaint), batch)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE complaints"))
        db.session.commit()
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def timed(search: inbox.Search, status: str, repeat: int) -> tuple[list[float], int]:
    wanted = inbox.InboxFilter(status=status, search=search)
    for _ in range(3):  # warm caches and compiled statements
        inbox.list_page(db.session, wanted, page=1, per_page=PER_PAGE)
    samples, total = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        total = inbox.list_page(db.session, wanted, page=1, per_page=PER_PAGE).total
        samples.append((time.perf_counter() - start) * 1000)
        db.session.rollback()  # a new request, a new transaction
    return samples, total


def run(url: str, rows: int, repeat: int) -> dict[tuple[str, str, str], tuple[float, float, int]]:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CLOCK": FrozenClock(NOW)}
    )
    results = {}
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        fill(rows)
        took = time.perf_counter() - started
        print(f"{db.engine.dialect.name}: {rows:,} complaints stored in {took:.1f} s")
        for status in STATUSES:
            for query in QUERIES:
                for kind, search in (
                    ("words", inbox.Search.parse(query)),
                    ("LIKE", LikeSearch.parse(query)),
                ):
                    samples, total = timed(search, status, repeat)
                    results[(status, query, kind)] = (
                        statistics.median(samples),
                        p99(samples),
                        total,
                    )
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL", ""))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        lite = run(f"sqlite:///{tmp}/bench.sqlite3", args.rows, args.repeat)
    pg = None
    if args.postgres:
        admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{BENCH_DB}"'))
        try:
            url = sa.make_url(args.postgres).set(database=BENCH_DB)
            pg = run(url.render_as_string(hide_password=False), args.rows, args.repeat)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            admin.dispose()

    header = ["filter", "search", "found", "SQLite med ms", "p99", "LIKE med", "x LIKE"]
    if pg:
        header += ["PG med ms", "p99", "LIKE med", "x LIKE", "PG/SQLite"]
    body = []
    for status in STATUSES:
        for query in QUERIES:
            median, high, total = lite[(status, query, "words")]
            like = lite[(status, query, "LIKE")][0]
            row = [status, query, f"{total:,}", f"{median:.1f}", f"{high:.1f}", f"{like:.1f}"]
            row.append(f"{median / like:.2f}")
            if pg:
                pmed, phigh, ptotal = pg[(status, query, "words")]
                plike = pg[(status, query, "LIKE")][0]
                row += [f"{pmed:.1f}", f"{phigh:.1f}", f"{plike:.1f}", f"{pmed / plike:.2f}"]
                row.append(f"{pmed / median:.2f}")
                if ptotal != total:
                    row[2] += f" (PG {ptotal:,})"
            body.append(row)
    table(
        f"Inbox word search, {args.rows:,} complaints, count + first page of {PER_PAGE} "
        f"({args.repeat} runs each; 'x LIKE': against the substring search it replaces)",
        header,
        body,
    )
    for name, results in (("SQLite", lite), ("PostgreSQL", pg)):
        if not results:
            continue
        medians = [v[0] for (s, q, kind), v in results.items() if kind == "words"]
        worst = max(medians)
        verdict = "met" if statistics.median(medians) <= 50 and worst <= 50 else "MISSED"
        print(
            f"{name}: median of medians {statistics.median(medians):.1f} ms, slowest median "
            f"{worst:.1f} ms; target <= 50 ms median: {verdict}"
        )


if __name__ == "__main__":
    main()
