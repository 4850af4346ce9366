"""How long each rule pattern takes on its worst adversarial input. Prints a table;
asserts nothing (tests/test_patterns_linear.py does).

    .venv/bin/python bench/patterns.py

Every regex of every rule file (entity regexes, spaCy token REGEXes, business_numbers),
probed as app/core/patterns.py does: long runs of the pattern's own characters, alone,
after each of its words, and repeated with them, 50,000 characters each; the time of a
full scan (finditer) of the slowest. Slowest first. Then what the start-up probe costs.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core import patterns  # noqa: E402
from bench.report import table  # noqa: E402


def main() -> None:
    files = sorted(
        [*(ROOT / "app" / "analysis" / "rules").rglob("*.yaml")]
        + [*(ROOT / "app" / "tone" / "rules").rglob("*.yaml")]
    )
    rows = []
    for path in files:
        for found in patterns.rule_patterns(path):
            result = patterns.probe(found.regex, first_failure=False)
            rows.append((result, found))
    rows.sort(key=lambda item: -item[0].seconds)
    table(
        f"Rule patterns on their worst input ({patterns.SIZE:,} characters; "
        f"limit {patterns.LIMIT} s)",
        ["rule file", "line", "pattern", "seconds", "inputs", "worst input"],
        [
            [
                str(found.path.relative_to(ROOT)),
                found.line,
                found.name,
                f"{result.seconds:.3f}" + ("" if result.linear else " *"),
                result.inputs,
                result.worst,
            ]
            for result, found in rows
        ],
        "* over the limit (the loaders refuse such a pattern).",
    )
    started = time.perf_counter()
    probed = 0
    for _result, found in rows:
        if patterns.needs_probe(found.regex):
            patterns.probe(
                re.compile(found.regex.pattern, found.regex.flags), patterns.SMALL, quick=True
            )
            probed += 1
    seconds = time.perf_counter() - started
    table(
        "The start-up probe (check_linear: unbounded patterns, quick inputs, "
        f"{patterns.SMALL:,} characters)",
        ["patterns", "probed", "seconds"],
        [[len(rows), probed, f"{seconds:.3f}"]],
    )


if __name__ == "__main__":
    main()
