"""How fast the tone checks are, warm, in-process. Prints tables; asserts nothing.

    .venv/bin/python bench/tone_speed.py

Over the 2,222 real brand replies of ../shared/data/twcs_sample (each checked against the
customer tweet it answers, as posted on X) and a 5,000-character e-mail made of real brand
replies: the median and p99 of every registered check, of parsing the reply, and of the
whole check, beside spaCy's tokenizer alone in the same run (the baseline: the least any
check of the text must cost). Targets: a tweet-sized check at median ≤ 3 ms, p99 ≤ 8 ms.

Each complaint comes with the anger cues its analysis stores (`anger_notes`, worked out
outside the timing), as every complaint in the app does; the reply's language is detected.
On a machine shared with other work, a check's wall time includes waiting for a core: the
"whole check, CPU time" row is the time this thread actually ran (`time.thread_time`).
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"

from app.nlp.pipeline import pipeline_for  # noqa: E402
from app.tone import checker  # noqa: E402
from app.tone.checks import REGISTRY, ComplaintContext  # noqa: E402
from bench.report import percentile, table  # noqa: E402
from bench.tone_eval import CHANNELS  # noqa: E402

ROUNDS = 3


def replies() -> list[tuple[str, ComplaintContext | None]]:
    with (SHARED / "twcs_sample" / "twcs.csv").open(encoding="utf-8", newline="") as handle:
        tweets = list(csv.DictReader(handle))
    by_id = {row["tweet_id"]: row for row in tweets}
    found = []
    for row in tweets:
        if row["inbound"] != "False":
            continue
        parent = by_id.get(str(row["in_response_to_tweet_id"]).removesuffix(".0"))
        found.append((row["text"], analysed(parent["text"]) if parent else None))
    return found


def analysed(complaint: str) -> ComplaintContext:
    """The complaint as the app holds it: with the anger cues stored by its analysis."""
    return ComplaintContext(complaint, "en", angry=checker.anger_notes(complaint, "en"))


def email_from(texts: list[str], size: int = 5000) -> str:
    """A long e-mail of real brand replies, one paragraph each, cut at `size` characters."""
    paragraphs, length = [], 0
    for text in texts:
        words = [word for word in text.split() if not word.startswith("@")]
        paragraph = " ".join(words)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
        if length >= size:
            break
    return "\n\n".join(paragraphs)[:size]


def measure(samples, channel, rounds: int) -> dict[str, list[float]]:
    tokenizer = pipeline_for("en").tokenizer
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for text, complaint in samples:
            started = time.perf_counter()
            tokenizer(text)
            times["baseline: spaCy tokenizer alone"].append(time.perf_counter() - started)
            timings: dict[str, float] = {}
            started, ran = time.perf_counter(), time.thread_time()
            checker.check(text, channel=channel, complaint=complaint, timings=timings)
            times["whole check"].append(time.perf_counter() - started)
            times["whole check, CPU time"].append(time.thread_time() - ran)
            for name, seconds in timings.items():
                times[name].append(seconds)
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    baseline = statistics.median(times["baseline: spaCy tokenizer alone"])
    order = ["baseline: spaCy tokenizer alone", "tokenise", *(c.name for c in REGISTRY)]
    order += ["whole check", "whole check, CPU time"]
    rows = []
    for name in order:
        values = times[name]
        median = statistics.median(values)
        rows.append(
            [
                "parse (pipeline)" if name == "tokenise" else name,
                f"{median * 1000:.3f}",
                f"{percentile(values, 0.99) * 1000:.3f}",
                f"{median / baseline:.1f}×",
            ]
        )
    table(title, ["stage", "median ms", "p99 ms", "× tokenizer"], rows)


def main() -> None:
    checker.warm_up()
    samples = replies()
    checker.check(samples[0][0], channel=CHANNELS["x"])  # first call outside the timing
    report(
        f"tone check of {len(samples)} real brand replies on X, warm, {ROUNDS} rounds "
        f"(median reply {statistics.median(len(t) for t, _ in samples):.0f} characters)",
        measure(samples, CHANNELS["x"], ROUNDS),
    )
    email = email_from([text for text, _ in samples])
    report(
        f"tone check of one {len(email):,}-character e-mail of real brand replies, 100 runs",
        measure([(email, None)], CHANNELS["email"], 100),
    )


if __name__ == "__main__":
    main()
