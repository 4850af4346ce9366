"""Real customer tweets from twcs_sample with their analysis and the generated draft.

    .venv/bin/python bench/examples.py                 # three chosen to differ
    .venv/bin/python bench/examples.py 3106 3123       # these tweet ids

For reading, not for asserting: it shows what an agent would see for real complaints.
The text is real people's (personal data): print it here, never publish it.
"""

from __future__ import annotations

import csv
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "data" / "twcs_sample" / "twcs.csv"

from app.analysis import analyze  # noqa: E402
from app.channels import ChannelInfo, LengthCounting  # noqa: E402
from app.drafts.builder import Sources, compose  # noqa: E402
from app.drafts.response_templates import load_library  # noqa: E402
from app.settings.company import CompanyDetails  # noqa: E402

X = ChannelInfo("x", "X (Twitter)", True, 280, True, LengthCounting.X_WEIGHTED)
COMPANY = CompanyDetails(
    name="the company",
    phone="0808 157 0192",
    email="care@company.example",
    faq_url="https://help.company.example/faq",
    dm_instruction="send us a DM",
)


def tweets() -> list[dict]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["inbound"] == "True"]


def pick(rows: list[dict]) -> list[dict]:
    """One sensitive, one hot, one calm: the first of each in file order."""
    wanted = [
        lambda r: {"billing", "account", "personal_data"} & set(r.flags),
        lambda r: r.heat_label == "high",
        lambda r: r.complainer_type == "constructive" and not r.flags and r.category != "other",
    ]
    chosen: list[dict] = []
    for want in wanted:
        for row in rows:
            if row in chosen:
                continue
            if want(analyze(row["text"], channel="x")):
                chosen.append(row)
                break
    return chosen


def show(row: dict, library) -> None:
    result = analyze(row["text"], channel="x")
    draft = compose(
        library,
        result,
        X,
        Sources(
            company=COMPANY,
            agent_name="Sam",
            handle=row["author_id"],
            now=datetime(2026, 11, 23, 9, tzinfo=UTC),
            timezone="Europe/London",
            seed=row["tweet_id"],
        ),
    )
    print(f"\ntweet {row['tweet_id']}: {row['text']}")
    print(
        f"  language {result.language} · heat {result.heat} ({result.heat_label}) · "
        f"{result.complainer_type} · {result.category} · flags {list(result.flags) or 'none'}"
    )
    for key, items in result.evidence.items():
        if items:
            print(f"  why {key}: " + ", ".join(f"“{item.text}”" for item in items[:6]))
    if result.entities:
        print("  entities: " + ", ".join(f"{e.kind} “{e.text}”" for e in result.entities))
    print(f"  draft ({draft.mode}, {draft.length}/{draft.limit} characters):")
    for part, choice in draft.parts.items():
        print(f"    {part:<15} [{choice.variant_id}] {choice.text}")
    if draft.mode == "attack":
        print("    " + draft.text)
    print(textwrap.indent(textwrap.fill(draft.text, 96), "    > "))
    for notice in draft.notices:
        print(f"    notice: {notice}")


def main() -> None:
    library = load_library(ROOT / "response_templates")
    rows = tweets()
    if len(sys.argv) > 1:
        by_id = {row["tweet_id"]: row for row in rows}
        chosen = [by_id[tweet_id] for tweet_id in sys.argv[1:]]
    else:
        chosen = pick(rows)
    for row in chosen:
        show(row, library)


if __name__ == "__main__":
    main()
