"""Real brand replies from ../shared/data/twcs_sample with their tone findings.

    .venv/bin/python bench/tone_examples.py TWEET_ID [TWEET_ID ...]

Each reply is checked as posted on X against the customer tweet it answers, with the
default policy; the brand's own contact details are unknown, so any phone or e-mail they
give is judged by the words around it ("call us on …").
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"

from app.tone import checker  # noqa: E402
from app.tone.checks import ComplaintContext  # noqa: E402
from bench.tone_eval import CHANNELS  # noqa: E402


def main(ids: list[str]) -> None:
    with (SHARED / "twcs_sample" / "twcs.csv").open(encoding="utf-8", newline="") as handle:
        tweets = {row["tweet_id"]: row for row in csv.DictReader(handle)}
    checker.warm_up()
    for tweet_id in ids:
        row = tweets[tweet_id]
        parent = tweets.get(str(row["in_response_to_tweet_id"]).removesuffix(".0"))
        complaint = ComplaintContext(parent["text"], "en") if parent else None
        report = checker.check(row["text"], channel=CHANNELS["x"], complaint=complaint)
        print(f"\ntweet {tweet_id} by {row['author_id']}: {row['text']}")
        if parent:
            print(f"  answering: {parent['text']}")
        present = [part for part, found in report.parts.items() if found["present"]]
        print(f"  parts present: {', '.join(present) or 'none'}", end="")
        if report.readability and report.readability.score is not None:
            print(f" · reading ease {report.readability.score:.0f}", end="")
        print(f" · blocking: {'yes' if report.blocking else 'no'}")
        for finding in report.findings:
            words = report.text[finding.start : finding.end]
            line = f"  {finding.severity:5} {finding.code:22}"
            line += f" “{words}”" if words else " (the reply as a whole)"
            print(line)
            print(f"        {finding.message}")
            if finding.suggestion is not None:
                print(
                    f"        suggestion: “{finding.suggestion}”"
                    if finding.suggestion
                    else "        suggestion: delete these words"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
