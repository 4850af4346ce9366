"""How long Admin → Template library takes to check the shipped library: every variant
filled, tone-checked and measured against the channels, per request. Prints a table;
asserts nothing.

    .venv/bin/python bench/template_library.py [--runs 7]

Baseline: the English library alone (a copy of response_templates/en), in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.channels import ChannelInfo, LengthCounting  # noqa: E402
from app.drafts.response_templates import load_library  # noqa: E402
from app.settings import template_checks  # noqa: E402
from app.settings.company import CompanyDetails  # noqa: E402
from app.tone.policy import TonePolicy  # noqa: E402
from bench.report import p99, table  # noqa: E402

LIBRARY = ROOT / "response_templates"
CHANNELS = [
    ChannelInfo("x", "X (Twitter)", True, 280, True, LengthCounting.X_WEIGHTED),
    ChannelInfo("email", "E-mail", False, 50_000, False),
]


def timings(folder: Path, runs: int) -> tuple[list[float], int]:
    def once() -> template_checks.LibraryReport:
        return template_checks.check_library(
            folder,
            channels=CHANNELS,
            policy=TonePolicy(),
            company=CompanyDetails(name="Northwind"),
            now=datetime(2026, 11, 23, 9, tzinfo=UTC),
            timezone="Europe/London",
        )

    report = once()  # warm: pipelines and rules loaded
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        once()
        samples.append(time.perf_counter() - started)
    return samples, len(report.variants)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    languages = load_library(LIBRARY).languages
    with tempfile.TemporaryDirectory() as scratch:
        english = Path(scratch) / "response_templates"
        shutil.copytree(LIBRARY / "en", english / "en")
        rows = []
        base = None
        for label, folder in (
            ("baseline: English only", english),
            (f"the shipped library ({', '.join(languages)})", LIBRARY),
        ):
            samples, variants = timings(folder, args.runs)
            median = statistics.median(samples)
            base = base or median
            rows.append(
                [
                    label,
                    variants,
                    f"{median * 1000:.0f}",
                    f"{p99(samples) * 1000:.0f}",
                    f"{median / variants * 1000:.2f}",
                    f"{median / base:.1f}×",
                ]
            )
    table(
        f"Checking the template library ({args.runs} runs, warm, in-process)",
        ["library", "variants", "median ms", "p99 ms", "ms per variant", "× baseline"],
        rows,
        "Admin → Template library and the admin home's library card check it on every request.",
    )


if __name__ == "__main__":
    main()
