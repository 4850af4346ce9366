"""How long a 100,000-row import takes, and its re-import (every row a duplicate).

Builds a fresh SQLite database from the migrations, writes a generic CSV of 100,000
complaints (each with its own external id), imports it through the CLI command, then
imports the same file again. Prints rows per second for both; the baseline, timed in the
same run, is a 1,000-row import. Asserts nothing: the test suite keeps a 5,500-row import
(several batches) and checks the counts.

    .venv/bin/python bench/import_large.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade

from app import create_app
from app.core.clock import FrozenClock
from app.extensions import db
from bench.report import table

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def write_csv(path: Path, rows: int, offset: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("external_id,channel,text,received_at\n")
        for n in range(offset, offset + rows):
            handle.write(f"{n},x,Complaint number {n} about order NW-{n},2026-11-20T10:00:00Z\n")
    return path


def timed_import(app, path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["complaints", "import", str(path)])
    return time.perf_counter() - started, result.output


def counted(output: str, label: str) -> int:
    found = re.search(rf"{label}:\s+(\d+)", output)
    return int(found.group(1)) if found else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'import.sqlite3'}",
                "SECRET_KEY": "bench",
                "CLOCK": FrozenClock(NOW),
                "IMPORTS_IN_BACKGROUND": False,
                "ANALYSIS_WARM_UP": True,
            }
        )
        with app.app_context():
            upgrade()
        small = write_csv(base / "small.csv", 1_000, offset=10_000_000)
        big = write_csv(base / "big.csv", args.rows)
        rows = []
        for name, path, label, size in (
            ("baseline: 1,000 rows", small, "imported", 1_000),
            (f"{args.rows:,} rows", big, "imported", args.rows),
            (f"{args.rows:,} rows again", big, "skipped as duplicate", args.rows),
        ):
            seconds, output = timed_import(app, path)
            done = counted(output, label)
            rows.append([name, f"{done:,} {label}", f"{seconds:.1f}", f"{size / seconds:,.0f}"])
        with app.app_context():
            db.engine.dispose()
    table(
        "Import through `flask complaints import` (SQLite, in-process)",
        ["file", "result", "seconds", "rows/s"],
        rows,
        note="rows/s of the big file near the baseline's means the import scales linearly.",
    )


if __name__ == "__main__":
    main()
