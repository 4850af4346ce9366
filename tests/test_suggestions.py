"""The one-click fixes: every suggestion the checks make on the development sets and on the
real brand replies is applied, and the reply checked again. A fix must leave the reply
grammatical and better: no new finding, and none of the ways a fix has broken English
before (a doubled modal, "..", a placeholder, an orphaned preposition, a sentence starting
in lower case after a deletion).

Run with -s to see the counts: suggestions applied, broken, and withheld (the checker
re-checks each fix before offering it and drops one that fails; those never reach the
agent and are not applied here)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from app.channels import ChannelInfo, LengthCounting
from app.core import datafile
from app.tone import checker
from app.tone.catalogue import Finding
from app.tone.checks import ComplaintContext, Contact
from tests.fixtures.app import shared_data

DATA = Path(__file__).parent / "data"
CHANNELS = {
    key: ChannelInfo(key, key, public, limit, threads, counting)
    for key, public, limit, threads, counting in (
        ("x", True, 280, True, LengthCounting.X_WEIGHTED),
        ("facebook", True, 8000, False, LengthCounting.CHARACTERS),
        ("instagram", True, 2200, False, LengthCounting.CHARACTERS),
        ("review", True, 5000, False, LengthCounting.CHARACTERS),
        ("dm", False, 10000, False, LengthCounting.CHARACTERS),
        ("email", False, 50000, False, LengthCounting.CHARACTERS),
    )
}
NORTHWIND = Contact(phone="0808 157 0192", email="care@northwind.example")

_MODALS = r"will|would|can|could|shall|should|may|might|must|won't|wouldn't|can't|'ll"
#: The ways a fix has broken a reply. Each is counted before and after: a fix is broken when
#: it adds one.
BROKEN = {
    "doubled modal": re.compile(
        rf"(?:\b|(?<=\w))(?:{_MODALS})\s+(?:{_MODALS}|doesn't|don't|does|did|didn't|is|are|was)\b",
        re.IGNORECASE,
    ),
    "'..'": re.compile(r"(?<!\.)\.\.(?!\.)|[,;:]\s*[.,;:!?]"),
    "placeholder": re.compile(r"\[[a-z ]+\]", re.IGNORECASE),
    "agent's own number replaced": re.compile(
        r"\b(?:(?:call|ring|text|phone|reach|contact|message|e-?mail)\s+(?:me|us)\s+(?:directly\s+)?"
        r"(?:on|at|via)|(?:my|our)\s+(?:\w+\s+)?(?:mobile|number|phone|line|e-?mail))"
        r"\s+(?:on\s+)?your (?:phone number|e-mail address)\b",
        re.IGNORECASE,
    ),
    "orphaned preposition": re.compile(
        r"\b(?:on|at|to|for|with|by|from|of|about|into|via|is|are|the|a|an|your|our|my)"
        r"\s*(?:[.!?;:,]|$)",
        re.IGNORECASE,
    ),
    "lower-case sentence start": re.compile(r"(?:^|[.!?]\s+)[a-z]"),
    "doubled word": re.compile(r"\b(\w{2,})\s+\1\b", re.IGNORECASE),
    "empty": re.compile(r"^\s*$"),
}


def broken_patterns(before: str, after: str) -> list[str]:
    return [
        name
        for name, pattern in BROKEN.items()
        if len(pattern.findall(after)) > len(pattern.findall(before))
    ]


def applied(text: str, finding: Finding) -> str:
    start = finding.start if finding.replace_start is None else finding.replace_start
    end = finding.end if finding.replace_end is None else finding.replace_end
    return text[:start] + finding.suggestion + text[end:]


def dev_cases() -> list[dict]:
    cases = []
    for path in sorted(DATA.glob("tone_dev_*.yaml")):
        for row in datafile.rows(path):
            complaint = row.get("complaint")
            cases.append(
                {
                    "id": row["id"],
                    "text": row["text"],
                    "channel": CHANNELS[row["channel"]],
                    "complaint": ComplaintContext(complaint, "en") if complaint else None,
                    "contact": NORTHWIND,
                }
            )
    return cases


def brand_cases() -> list[dict]:
    with shared_data("twcs_sample/twcs.csv").open(encoding="utf-8", newline="") as handle:
        tweets = list(csv.DictReader(handle))
    by_id = {row["tweet_id"]: row for row in tweets}
    cases = []
    for row in tweets:
        if row["inbound"] != "False":
            continue
        parent = by_id.get(str(row["in_response_to_tweet_id"]).removesuffix(".0"))
        cases.append(
            {
                "id": f"twcs-{row['tweet_id']}",
                "text": row["text"],
                "channel": CHANNELS["x"],
                "complaint": ComplaintContext(parent["text"], "en") if parent else None,
                "contact": Contact(),
            }
        )
    return cases


def round_trip(cases: list[dict], *, count_withheld: bool = False) -> tuple[Counter, list[str]]:
    """Apply every suggestion and check the reply again. `count_withheld` checks each reply
    a second time without the checker's own re-check, to count what it withheld (only
    printed, so only worth its time when the output is shown: `-s`)."""
    counts: Counter = Counter()
    problems = []
    for case in cases:
        kwargs = {k: case[k] for k in ("channel", "complaint", "contact")}
        report = checker.check(case["text"], language="en", **kwargs)
        if count_withheld:
            unchecked = checker.check(case["text"], language="en", check_fixes=False, **kwargs)
            counts["withheld by the checker's re-check"] += sum(
                1 for f in unchecked.findings if f.suggestion is not None
            ) - sum(1 for f in report.findings if f.suggestion is not None)
        before = report.codes()
        for finding in report.findings:
            if finding.suggestion is None:
                continue
            counts["suggestions applied"] += 1
            counts[f"applied: {finding.code}"] += 1
            fixed = applied(report.text, finding)
            # Only the findings count here; the checker's re-check of the fixed reply's own
            # suggestions changes suggestions, never findings (`checker._checked_fixes`).
            after = checker.check(fixed, language="en", check_fixes=False, **kwargs)
            wrong = broken_patterns(report.text, fixed)
            new = sorted(after.codes() - before)
            if finding.code in after.codes() and len(
                [f for f in after.findings if f.code == finding.code]
            ) >= len([f for f in report.findings if f.code == finding.code]):
                wrong.append(f"{finding.code} still there")
            if new:
                wrong.append("new finding: " + ", ".join(new))
            if wrong:
                counts["broken"] += 1
                for name in wrong:
                    counts[f"broken: {name.split(':')[0]}"] += 1
                problems.append(
                    f"{case['id']} [{finding.code}] {'; '.join(wrong)}\n"
                    f"    before: {report.text!r}\n    after:  {fixed!r}"
                )
    return counts, problems


def print_counts(name: str, counts: Counter, problems: list[str]) -> None:
    print(
        f"\n{name}: {counts['suggestions applied']} suggestions applied, {counts['broken']} broken"
    )
    for key, value in sorted(counts.items()):
        if key.startswith(("applied:", "broken:", "withheld")):
            print(f"  {key:40} {value}")
    for problem in problems[:40]:
        print(problem)


@pytest.mark.parametrize("source", ["development sets", "real brand replies"])
def test_every_suggestion_leaves_a_better_grammatical_reply(source, request):
    cases = dev_cases() if source == "development sets" else brand_cases()
    shown = request.config.getoption("capture") == "no"
    counts, problems = round_trip(cases, count_withheld=shown)
    print_counts(source, counts, problems)
    assert counts["suggestions applied"] > 0
    assert problems == []


# --- the fixes the issue names, one by one ------------------------------------------------


def fixes(text: str, channel: ChannelInfo = CHANNELS["x"], **kwargs) -> dict[str, list[str]]:
    """code -> the replies its suggestions make."""
    kwargs.setdefault("contact", NORTHWIND)
    report = checker.check(text, channel=channel, language="en", **kwargs)
    made: dict[str, list[str]] = {}
    for finding in report.findings:
        if finding.suggestion is not None:
            made.setdefault(finding.code, []).append(applied(report.text, finding))
    return made


def test_a_guarantee_becomes_an_expectation_and_definitely_goes():
    assert fixes("We guarantee it will arrive tomorrow.")["overpromise"] == [
        "We expect it will arrive tomorrow."
    ]
    assert fixes("I guarantee you'll love it.")["overpromise"] == ["I expect you'll love it."]
    assert fixes("It'll definitely be there by Friday.")["overpromise"] == [
        "It'll be there by Friday."
    ]


def test_never_again_is_rewritten_as_a_whole_clause():
    made = fixes("Sorry, and this will never happen again.")["overpromise"]
    assert made == ["Sorry, and we'll do everything we can to stop it happening again."]
    made = fixes("Sorry. This will never happen again.")["overpromise"]
    assert made == ["Sorry. We'll do everything we can to stop it happening again."]


def test_a_non_apology_is_rewritten_to_the_end_of_its_clause():
    made = fixes("I'm sorry you feel that way, but the parcel was sent.")["non_apology"]
    assert made == ["I'm sorry we let you down, but the parcel was sent."]
    made = fixes("We apologise for any inconvenience caused. DM us.")["non_apology"]
    assert made == ["We apologise for the trouble this has caused. DM us."]


def test_deleting_words_leaves_no_stray_comma_and_a_capital_at_the_start():
    made = fixes("Thanks for waiting. The refund, as stated, takes 5 days.")["dismissive"]
    assert made == ["Thanks for waiting. The refund takes 5 days."]
    assert fixes("Thanks. As per our policy, refunds take 14 days.")["dismissive"] == [
        "Thanks. Refunds take 14 days."
    ]
    assert fixes("Just restart the router.")["dismissive"] == ["Restart the router."]
    assert fixes("We'll fix it, as stated.")["dismissive"] == ["We'll fix it."]
    assert fixes("Please calm down and let us help.")["dismissive"] == ["Let us help."]
    assert fixes("It's on its way, relax.")["dismissive"] == ["It's on its way."]


def test_a_deleted_sentence_takes_only_itself_and_leaves_no_double_stop():
    text = (
        "We hear you, and we're sorry the mug has cracked 😕 You need to read the care "
        "card, though. DM us a photo and we'll send a new one."
    )
    assert fixes(text)["blame"] == [
        "We hear you, and we're sorry the mug has cracked 😕 DM us a photo and we'll send a "
        "new one."
    ]
    made = fixes("Sorry about it. You should have read the terms.. DM us.")["blame"]
    assert all(".." not in reply for reply in made)


def test_personal_data_is_taken_out_without_a_placeholder():
    assert fixes("Your order #NW-48213 has shipped. DM us.")["private_data"] == [
        "Your order has shipped. DM us."
    ]
    assert fixes("We've refunded the card ending in 4417. DM us.")["private_data"] == [
        "We've refunded the card. DM us."
    ]
    assert fixes("I've checked order NW-48213 and it left today.")["private_data"] == [
        "I've checked your order and it left today."
    ]
    assert fixes("Please check your e-mail (sam@example.com) for the label.")["private_data"] == [
        "Please check your e-mail for the label."
    ]
    # The sentence only gives the detail: no "Your e-mail is your e-mail address."
    assert "private_data" not in fixes("Thanks, Sam. Your e-mail is sam@example.com.")


def test_the_agents_own_number_is_never_turned_into_the_customers():
    made = fixes("Call me on my mobile 07700 900123 and I'll sort it.")
    assert all("your phone number" not in reply for replies in made.values() for reply in replies)


def test_a_language_without_rules_gets_no_placeholder_fix():
    report = checker.check(
        # Italian: spaCy builds its French tokenizer in 2 s; the Italian one is instant.
        "Buongiorno, il suo ordine NW-48213: chiami il 07700 900123.",
        channel=CHANNELS["x"],
        language="it",
    )
    assert all(finding.suggestion is None for finding in report.findings)
    assert "[removed]" not in repr(report.to_dict())


def test_each_fix_comes_with_its_sentence_before_and_after():
    report = checker.check(
        "Thanks for waiting. The refund, as stated, takes 5 days.",
        channel=CHANNELS["x"],
        language="en",
        contact=NORTHWIND,
    )
    (finding,) = [f for f in report.findings if f.suggestion is not None]
    assert finding.details["preview"] == {
        "before": "The refund, as stated, takes 5 days.",
        "after": "The refund takes 5 days.",
    }
