"""How well the tone checks work. Prints tables; asserts nothing.

    .venv/bin/python bench/tone_eval.py               # everything
    .venv/bin/python bench/tone_eval.py --quick       # the development set only (tuning)
    .venv/bin/python bench/tone_eval.py --errors blame  # the rows a code gets wrong
    .venv/bin/python bench/tone_eval.py --show hostile  # real brand replies with that code

1. The team's development set (tests/data/tone_dev_*.yaml, guide in TONE_LABELS.md):
   precision and recall per code. Target: ≥ 0.9 each. The held-out set
   (tone_holdout.yaml), written by someone who never saw the rules or the development
   set and never used to tune them, is scored the same way: the gap is the over-fitting.
2. The 2,222 real brand replies in ../shared/data/twcs_sample/twcs.csv, as posted on X,
   each checked against the customer tweet it answers: the share with a `block` or `warn`
   finding, per code. Target: `block` on at most 2% of them.
3. `hostile` on the real brand replies: the share found by the check, by its word list
   alone and by its trained model alone.
4. `hostile` on the OLID offensive-language set (tweeteval/offensive, val): precision,
   recall and macro-F1 against the "offensive" label, for the word list, the model and the
   check as shipped, beside a TF-IDF + logistic regression trained on OLID train.
5. Per language (tests/data/<lang>/tone_dev.yaml and tone_holdout.yaml, English as the
   baseline): the harmful replies whose expected codes are all found, the good replies
   given a harmful-code warning, the codes found under 0.85, the time per reply. Each reply's
   language is detected as in the editor. Targets on unseen text: ≥ 0.85 and ≤ 0.05.
6. English replies answering complaints in each other language: checked as English, the
   expected codes found (target ≥ 0.90).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data"


from app.channels import ChannelInfo, LengthCounting  # noqa: E402
from app.core import datafile
from app.ml import model as text_models  # noqa: E402
from app.ml.recipes import hostile  # noqa: E402
from app.nlp.pipeline import pipeline_for  # noqa: E402
from app.tone import checker  # noqa: E402
from app.tone.catalogue import BLOCK, CODES, WARN  # noqa: E402
from app.tone.checks import ComplaintContext, Contact  # noqa: E402
from app.tone.rules import tone_rules  # noqa: E402
from bench.report import mark, percentile, ratio, table  # noqa: E402

#: The channels as seeded by migrations 0001 and 0008 (key, public, limit, threads).
CHANNELS = {
    key: ChannelInfo(
        key=key,
        name=key,
        is_public=public,
        char_limit=limit,
        supports_threads=threads,
        length_counting=LengthCounting.X_WEIGHTED if key == "x" else LengthCounting.CHARACTERS,
    )
    for key, public, limit, threads in (
        ("x", True, 280, True),
        ("facebook", True, 8000, False),
        ("instagram", True, 2200, False),
        ("review", True, 5000, False),
        ("dm", False, 10000, False),
        ("email", False, 50000, False),
    )
}
#: The company the development set's replies speak for (TONE_LABELS.md).
NORTHWIND = Contact(phone="0808 157 0192", email="care@northwind.example")
DEV_CODES = [code for code in CODES if code != "unfilled_placeholder"]
#: The codes that say the wording harms: what a "harmful-code warning" is.
HARMFUL = ("blame", "non_apology", "dismissive", "argumentative", "hostile", "sarcasm")


def dev_rows(pattern: str = "tone_dev_*.yaml") -> list[dict]:
    rows = []
    for path in sorted((ROOT / "tests" / "data").glob(pattern)):
        rows += datafile.rows(path)
    return rows


def check_row(row: dict) -> set[str]:
    complaint = row.get("complaint")
    report = checker.check(
        row["text"],
        channel=CHANNELS[row["channel"]],
        complaint=ComplaintContext(complaint, "en") if complaint else None,
        language="en",
        contact=NORTHWIND,
    )
    return report.codes()


def development(errors: str | None, pattern: str = "tone_dev_*.yaml", name: str = "") -> None:
    rows = dev_rows(pattern)
    if not rows:
        return
    found_by_row = [check_row(row) for row in rows]
    counts = defaultdict(Counter)
    for row, found in zip(rows, found_by_row, strict=True):
        labelled = set(row["codes"])
        for code in DEV_CODES:
            if code in labelled and code in found:
                counts[code]["tp"] += 1
            elif code in found:
                counts[code]["fp"] += 1
            elif code in labelled:
                counts[code]["fn"] += 1
            if errors == code and (code in labelled) != (code in found):
                kind = "missed" if code in labelled else "false alarm"
                print(f"{kind:12} {row['id']} [{row['channel']}] {row['text']!r}")
    table_rows = []
    for code in DEV_CODES:
        c = counts[code]
        table_rows.append(
            [
                code,
                c["tp"] + c["fn"],
                c["tp"] + c["fp"],
                c["fp"],
                c["fn"],
                mark(ratio(c["tp"], c["tp"] + c["fp"])),
                mark(ratio(c["tp"], c["tp"] + c["fn"])),
            ]
        )
    clean = [found for row, found in zip(rows, found_by_row, strict=True) if not row["codes"]]
    table(
        f"tone {name or 'development set'}: {len(rows)} replies, {len(clean)} labelled clean",
        ["code", "labelled", "found", "false alarms", "missed", "precision", "recall"],
        table_rows,
        f"clean replies with no finding: {sum(1 for found in clean if not found)}/{len(clean)}"
        "   (* below the 0.9 target)",
    )


def brand_replies(show: str | None) -> None:
    with (SHARED / "twcs_sample" / "twcs.csv").open(encoding="utf-8", newline="") as handle:
        tweets = list(csv.DictReader(handle))
    by_id = {row["tweet_id"]: row for row in tweets}
    replies = [row for row in tweets if row["inbound"] == "False"]
    per_code: dict[str, Counter] = defaultdict(Counter)
    blocked = warned = harmful = 0
    for row in replies:
        parent = by_id.get(str(row["in_response_to_tweet_id"]).removesuffix(".0"))
        # A customer tweet that answers one of the brand's is a case already under way.
        complaint = (
            ComplaintContext(
                parent["text"], "en", follow_up=bool(parent["in_response_to_tweet_id"])
            )
            if parent
            else None
        )
        report = checker.check(row["text"], channel=CHANNELS["x"], complaint=complaint)
        severities = {finding.severity for finding in report.findings}
        blocked += BLOCK in severities
        warned += BLOCK in severities or WARN in severities
        harmful += any(f.code in HARMFUL and f.severity in (BLOCK, WARN) for f in report.findings)
        for code in report.codes():
            worst = min(
                (f.severity for f in report.findings if f.code == code),
                key=lambda s: (s != BLOCK, s != WARN),
            )
            per_code[code][worst] += 1
        if show and show in report.codes():
            words = [report.text[f.start : f.end] for f in report.findings if f.code == show]
            print(f"{show}: {row['author_id']}: {row['text']!r} -> {words}")
    total = len(replies)
    rows = []
    for code in DEV_CODES:
        c = per_code[code]
        rows.append(
            [
                code,
                c[BLOCK],
                c[WARN],
                f"{(c[BLOCK] + c[WARN]) / total:.1%}",
                f"{c[BLOCK] / total:.1%}",
            ]
        )
    table(
        f"real brand replies (twcs_sample, {total} on X): replies with a finding, per code",
        ["code", "block", "warn", "share block+warn", "share block"],
        rows,
        f"replies with any block finding: {blocked} ({blocked / total:.1%}; target ≤ 2%); "
        f"with a block or warn finding: {warned} ({warned / total:.1%}); "
        f"with a harmful-wording finding ({', '.join(HARMFUL)}): {harmful} "
        f"({harmful / total:.1%})",
    )


def macro_f1(tp: int, fp: int, fn: int, tn: int) -> float:
    """The mean of the F1 of both classes (OffensEval's measure)."""
    return (2 * tp / ((2 * tp + fp + fn) or 1) + 2 * tn / ((2 * tn + fn + fp) or 1)) / 2


def hostile_ways(texts: list[str]) -> dict[str, list[bool]]:
    """For each text, whether `hostile` is found by the check as shipped, by its word list
    alone (findings without a model), and by its model alone (a sentence over the line)."""
    rule = tone_rules("en").wording["hostile"].model
    model = text_models.load(rule.name, "en")
    nlp = pipeline_for("en")
    ways: dict[str, list[bool]] = defaultdict(list)
    for text in texts:
        report = checker.check(text, channel=CHANNELS["x"], language="en")
        hostile = [f for f in report.findings if f.code == "hostile"]
        ways["check"].append(bool(hostile))
        ways["words"].append(any("model" not in f.details for f in hostile))
        sentences = [s.text.strip() for s in nlp(report.text).sents if s.text.strip()]
        ways["model"].append(
            bool(sentences) and max(model.probabilities(sentences)) >= rule.threshold
        )
    return ways


def offensive() -> None:
    folder = SHARED / "tweeteval" / "offensive"
    texts = (folder / "val_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [
        label == "1" for label in (folder / "val_labels.txt").read_text(encoding="utf-8").split()
    ]
    rows = []
    names = {
        "words": "word list only (wording.yaml cues)",
        "model": f"model only (a sentence ≥ {tone_rules('en').wording['hostile'].model.threshold})",
        "check": "hostile check as shipped (both)",
    }
    for way, found in hostile_ways(texts).items():
        c = Counter(zip(labels, found, strict=True))
        tp, fp, fn, tn = c[(True, True)], c[(False, True)], c[(True, False)], c[(False, False)]
        rows.append(
            [
                names[way],
                tp,
                fp,
                fn,
                ratio(tp, tp + fp),
                ratio(tp, tp + fn),
                f"{macro_f1(tp, fp, fn, tn):.3f}",
            ]
        )
    rows.append(
        [
            "TF-IDF + LR on OLID train (baseline)",
            "",
            "",
            "",
            "",
            "",
            f"{hostile.baseline(SHARED):.3f}",
        ]
    )
    table(
        f"hostile on tweeteval/offensive val ({len(texts)} tweets, {sum(labels)} labelled "
        "offensive)",
        [
            "judged by",
            "found offensive",
            "false alarms",
            "missed",
            "precision",
            "recall",
            "macro-F1",
        ],
        rows,
        "Before the model (issue 15): the word list alone, macro-F1 0.679. Target on the "
        "OLID test split: ≥ 0.78.",
    )


def brand_hostile() -> None:
    with (SHARED / "twcs_sample" / "twcs.csv").open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle) if row["inbound"] == "False"]
    ways = hostile_ways(texts)
    table(
        f"real brand replies (twcs_sample, {len(texts)}): share with a `hostile` finding",
        ["check as shipped", "word list only", "model only"],
        [[f"{sum(ways[way]) / len(texts):.2%}" for way in ("check", "words", "model")]],
        "Half of these (even tweet ids) are among the model's everyday negatives; its card "
        "(app/ml/models/en/hostile.md) reports the other half alone.",
    )


def brand_models() -> None:
    """Each trained model alone on the brand replies: the share with a sentence at or over
    its check's line, on the half it never saw (odd ids) and the half it learnt from."""
    with (SHARED / "twcs_sample" / "twcs.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["inbound"] == "False"]
    nlp = pipeline_for("en")
    halves = {"odd ids (measured)": 1, "even ids (trained on)": 0}
    sentences = {
        half: [
            [s.text.strip() for s in nlp(row["text"]).sents if s.text.strip()]
            for row in rows
            if int(row["tweet_id"]) % 2 == parity
        ]
        for half, parity in halves.items()
    }
    table_rows = []
    for code, check in tone_rules("en").wording.items():
        if check.model is None:
            continue
        model = text_models.load(check.model.name, "en")
        shares = []
        for half in halves:
            flagged = sum(
                1
                for each in sentences[half]
                if each and max(model.probabilities(each)) >= check.model.threshold
            )
            shares.append(f"{flagged / len(sentences[half]):.2%}")
        table_rows.append([code, check.model.threshold, *shares])
    table(
        "real brand replies: share flagged by each trained model alone (a sentence over its line)",
        ["check", "line", *halves],
        table_rows,
        "Lines chosen with at most 0.3% of the measured half flagged (the models' cards).",
    )


def language_sets(kind: str) -> list[tuple[str, str, Path]]:
    """(language, part, file) for each language's labelled set in tests/data/<language>/:
    `kind` is "tone" or "analysis", the parts dev and holdout."""
    found = []
    for folder in sorted(path for path in (ROOT / "tests" / "data").iterdir() if path.is_dir()):
        for part in ("dev", "holdout"):
            path = folder / f"{kind}_{part}.yaml"
            if path.is_file():
                found.append((folder.name, part, path))
    return found


def _read(path: Path) -> list[dict]:
    return datafile.rows(path) or []


def check_in(row: dict, language: str) -> tuple[set[str], float]:
    """The codes found on a reply as the editor finds them: the reply's language detected,
    the complaint (when the row has one) in the set's language; and the time it took."""
    complaint = row.get("complaint")
    started = time.perf_counter()
    report = checker.check(
        row["text"],
        channel=CHANNELS[row["channel"]],
        complaint=ComplaintContext(complaint, language) if complaint else None,
        contact=NORTHWIND,
    )
    return report.codes(), (time.perf_counter() - started) * 1000


def by_language() -> None:
    """Per language and part: the harmful replies whose expected codes are all found, the
    good replies given a harmful-code warning, each code's recall, the time per reply.
    English is the baseline, its development and held-out sets read the same way."""
    sets = [
        ("en", "dev", path) for path in sorted((ROOT / "tests" / "data").glob("tone_dev_*.yaml"))
    ]
    sets += [("en", "holdout", ROOT / "tests" / "data" / "tone_holdout.yaml")]
    sets += [("en", "holdout B", ROOT / "tests" / "data" / "tone_holdout_b.yaml")]
    sets += language_sets("tone")
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for language, part, path in sets:
        grouped[(language, part)] += _read(path)
    rows, weak = [], []
    for (language, part), items in grouped.items():
        results = [check_in(row, language) for row in items]
        harmful = [
            (set(row["codes"]) & set(HARMFUL), found)
            for row, (found, _) in zip(items, results, strict=True)
            if set(row["codes"]) & set(HARMFUL)
        ]
        good = [found for row, (found, _) in zip(items, results, strict=True) if not row["codes"]]
        hit = sum(1 for expected, found in harmful if expected <= found)
        warned = sum(1 for found in good if found & set(HARMFUL))
        counts = Counter()
        for row, (found, _) in zip(items, results, strict=True):
            for code in set(row["codes"]):
                counts[code, "labelled"] += 1
                counts[code, "found"] += code in found
        missed = sorted(
            code
            for code in {code for code, _ in counts}
            if counts[code, "found"] / counts[code, "labelled"] < 0.85
        )
        times = [ms for _, ms in results]
        found_share = ratio(hit, len(harmful))
        warned_share = ratio(warned, len(good))
        rows.append(
            [
                language,
                part,
                len(items),
                len(harmful),
                found_share,
                len(good),
                warned_share,
                f"{statistics.median(times):.1f}",
                f"{percentile(times, 0.99):.1f}",
            ]
        )
        weak.append(f"  {language} {part}: codes found < 0.85: {', '.join(missed) or 'none'}")
    table(
        "Tone checks per language (reply language detected; complaint in the set's language)",
        [
            "lang",
            "part",
            "replies",
            "harmful",
            "expected found",
            "good",
            "good warned",
            "median ms",
            "p99 ms",
        ],
        rows,
        "Targets on unseen text: expected code found ≥ 0.85 of harmful replies, ≤ 0.05 of good "
        "replies given a harmful-code warning.\n" + "\n".join(weak),
    )


def english_replies_elsewhere() -> None:
    """English replies (harmful ones of the English sets) answering complaints in each other
    language: checked as English, the expected codes found (target ≥ 0.90)."""
    english = [row for row in dev_rows() if set(row["codes"]) & set(HARMFUL)]
    rows = []
    for language, part, path in language_sets("analysis"):
        if part != "dev":
            continue
        complaints = [row["text"] for row in _read(path)]
        hit = checked_as = 0
        for index, row in enumerate(english):
            report = checker.check(
                row["text"],
                channel=CHANNELS[row["channel"]],
                complaint=ComplaintContext(complaints[index % len(complaints)], language),
                contact=NORTHWIND,
            )
            checked_as += report.language == "en"
            hit += set(row["codes"]) & set(HARMFUL) <= report.codes()
        rows.append(
            [language, len(english), ratio(checked_as, len(english)), ratio(hit, len(english))]
        )
    table(
        "English replies to complaints in other languages (harmful English dev replies)",
        ["complaint language", "replies", "checked as English", "expected codes found"],
        rows,
        "Target: expected code found ≥ 0.90.",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the development set only")
    parser.add_argument("--errors", metavar="CODE", help="print the dev rows CODE gets wrong")
    parser.add_argument("--show", metavar="CODE", help="print real brand replies with CODE")
    args = parser.parse_args()
    checker.warm_up()
    development(args.errors)
    by_language()
    if args.quick:
        return
    english_replies_elsewhere()
    development(None, "tone_holdout.yaml", "held-out set (written apart, never used to tune)")
    development(
        None,
        "tone_holdout_b.yaml",
        "held-out set B (voices the development set does not use, never used to tune)",
    )
    brand_replies(args.show)
    brand_models()
    brand_hostile()
    offensive()


if __name__ == "__main__":
    main()
