"""Checking a reply: parse it once, run every registered check, apply the policy.

`check()` is what the draft editor, the API and the draft operations call. It needs no
Flask and no database: the caller passes the channel, the complaint, the company's contact
details and the policy in force.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

from app.channels import ChannelInfo
from app.core.errors import DomainError
from app.core.text import clean_text
from app.core.words import N_, Number, Term, Words
from app.ml import model as text_models
from app.nlp import pipeline
from app.nlp.common import common_rules
from app.nlp.detection import MIN_CONFIDENCE, detect, language_name
from app.nlp.matching import defuse_long_runs
from app.tone import readability, sentiment
from app.tone.catalogue import BLOCK, CODE_LABELS, PART_CODES, SEVERITY_RANK, WARN, Finding
from app.tone.checks import (
    REGISTRY,
    THREADED_MAX_SEVERITY,
    UNEXPECTED_PART_MAX_SEVERITY,
    CompiledRules,
    ComplaintContext,
    Contact,
    Reply,
)
from app.tone.fixes import grammar_slips, preview
from app.tone.policy import TonePolicy
from app.tone.rules import languages_with_tone_rules, tone_rules

#: Longer texts are refused with a clear message: nobody replies with a novel.
MAX_CHARS = 50_000
#: Findings shown per code; the last one shown says how many more there are, and the
#: report carries the total (`capped`). 50,000 "hostile" marks help nobody.
MAX_PER_CODE = 20
#: Each one-click fix is checked by checking the reply it makes; on longer replies, or past
#: this many fixes, none is offered (the editor offers the next once one is applied).
MAX_FIXES_CHECKED = 12
MAX_CHARS_FIXES_CHECKED = 10_000

_lock = threading.Lock()
_compiled: dict[str, CompiledRules] = {}


class RememberedReports:
    """Reports remembered per process, least recently used first out, each with the
    trained models it was made with (a retrained model is another object: not used)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._reports: OrderedDict[tuple, tuple[tuple, ToneReport]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, models: tuple) -> ToneReport | None:
        with self._lock:
            found = self._reports.get(key)
            if found is None:
                return None
            if any(a is not b for a, b in zip(found[0], models, strict=True)):
                del self._reports[key]
                return None
            self._reports.move_to_end(key)
        return _copy(found[1])

    def put(self, key: tuple, models: tuple, report: ToneReport) -> None:
        with self._lock:
            self._reports[key] = (models, _copy(report))
            while len(self._reports) > self.size:
                self._reports.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()

    def __len__(self) -> int:
        return len(self._reports)


#: Live checks: the editor sends the whole reply after every pause, mostly unchanged (a
#: click elsewhere, a part typed in while another is unchanged, undo).
REPORTS_CACHED = 256
LIVE = RememberedReports(REPORTS_CACHED)
#: The template library page checks every variant of every language on each visit (about
#: 560 with the shipped files): all of them are remembered (about 5 KB each), so a second
#: visit checks only what an admin changed.
LIBRARY = RememberedReports(2_048)


class ToneCheckError(DomainError):
    """The text cannot be checked (too long); the message says why, for the agent."""


def compiled_rules(language: str) -> CompiledRules | None:
    """The language's tone rules compiled against its current pipeline, or None."""
    rules = tone_rules(language)
    if rules is None:
        return None
    nlp = pipeline.pipeline_for(language)
    compiled = _compiled.get(language)
    if compiled is None or compiled.nlp is not nlp or compiled.rules is not rules:
        with _lock:
            compiled = _compiled.get(language)
            if compiled is None or compiled.nlp is not nlp or compiled.rules is not rules:
                compiled = _compiled[language] = CompiledRules(nlp, rules)
    return compiled


def anger_notes(text: str, language: str | None) -> dict[str, dict[str, Any]]:
    """The anger cues a complaint uses, for the complaint's language and the default one
    (where they have tone rules): stored with its analysis, so that the live checks of its
    replies (`mirrors_anger`) never parse the complaint again."""
    default = common_rules().default_language
    notes = {}
    for code in dict.fromkeys([language or default, default]):
        compiled = compiled_rules(code)
        if compiled is not None:
            notes[code] = {
                "rules": compiled.anger_fingerprint,
                "cues": sorted(compiled.angry_words(text)),
            }
    return notes


def warm_up() -> None:
    """Compile every language's rules and load the dictionaries and models now, not on
    first use."""
    for language in languages_with_tone_rules():
        compiled = compiled_rules(language)
        sentiment.warm_up(compiled.rules.care_words, compiled.rules.lexicon == "own")
        for check in compiled.rules.wording.values():
            if check.model is not None:
                text_models.load(check.model.name, language)  # a missing one stops start-up
    readability.warm_up()


@dataclass
class ToneReport:
    text: str
    language: str
    findings: list[Finding]
    #: part -> {"present", "start", "end", "evidence"}; empty when parts were not checked.
    parts: dict[str, dict[str, Any]]
    readability: readability.Readability | None
    sentiment: float | None
    notices: list[str] = field(default_factory=list)
    #: Where each part of the draft sits in `text`, as given to check().
    part_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: code -> how many were found, for codes with more than MAX_PER_CODE findings.
    capped: dict[str, int] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return any(finding.severity == BLOCK for finding in self.findings)

    def codes(self) -> set[str]:
        return {finding.code for finding in self.findings}

    def to_dict(self) -> dict[str, Any]:
        return {
            "blocking": self.blocking,
            "language": self.language,
            "findings": [finding.to_dict(self.text) for finding in self.findings],
            "parts": self.parts,
            "readability": self.readability.to_dict() if self.readability else None,
            "sentiment": None if self.sentiment is None else {"compound": self.sentiment},
            "notices": self.notices,
            "capped": self.capped,
        }


def _language(text: str, language: str | None, complaint: ComplaintContext | None):
    """The language to check in: given, else the reply's own when the detector is sure of
    it (an English reply to a Dutch complaint is checked as English), else the
    complaint's (a reply too short to tell is in the language it answers)."""
    notices = []
    if language:
        chosen = language
    else:
        detected = detect(text)
        if detected.confidence >= MIN_CONFIDENCE:
            chosen = detected.language
        else:
            chosen = complaint.language if complaint else common_rules().default_language
    if tone_rules(chosen) is None:
        names = [
            Term("language", code, language_name(code)) for code in languages_with_tone_rules()
        ]
        notices.append(
            Words(
                N_(
                    "Tone rules exist only for %(names)s; this reply reads as %(language)s, so "
                    "only personal data, length and gaps were checked."
                ),
                {"names": names, "language": Term("language", chosen, language_name(chosen))},
            )
        )
    return chosen, notices


def check(
    text: str,
    *,
    channel: ChannelInfo,
    policy: TonePolicy | None = None,
    complaint: ComplaintContext | None = None,
    language: str | None = None,
    parts: dict[str, str] | None = None,
    part_spans: dict[str, tuple[int, int]] | None = None,
    four_parts: bool = True,
    contact: Contact | None = None,
    timings: dict[str, float] | None = None,
    check_fixes: bool = True,
    cached: bool | RememberedReports = False,
) -> ToneReport:
    """Every finding on `text`, worst first within each place, with the policy's severities.

    `parts`/`part_spans` say which part of the draft sits where, so a missing part points
    at its box; `four_parts=False` for a holding reply to an attack, which has no parts.
    `timings`, when given, collects each check's seconds (for bench/tone_speed.py).
    A suggestion is offered only when the reply it makes has no new finding, no longer
    has the one it fixes and no new grammar slip (`check_fixes=False` skips this, for the
    re-checks themselves). `cached=True` (the editor's live check) answers a check asked
    before with the same text, settings, policy, complaint, rules and models from a small
    per-process LRU (LIVE), as a copy; `cached=LIBRARY` from the template library's.
    """
    policy = policy or TonePolicy()
    text = clean_text(text or "")
    if len(text) > MAX_CHARS:
        raise ToneCheckError(
            f"The reply is {len(text):,} characters; the tone check reads at most {MAX_CHARS:,}."
        )
    if not text.strip():
        return ToneReport(text, language or "en", [], {}, None, None, ["The reply is empty."])
    chosen, notices = _language(text, language, complaint)
    compiled = compiled_rules(chosen)
    nlp = compiled.nlp if compiled else pipeline.pipeline_for(chosen)
    key = models = None
    remembered_in = LIVE if cached is True else cached if cached is not False else None
    if remembered_in is not None and timings is None:
        key = (
            text,
            chosen,
            compiled or nlp,
            channel,
            (tuple(sorted(policy.severities.items())), policy.readability_min, policy.negative_at),
            complaint,
            tuple((parts or {}).items()),
            tuple((part_spans or {}).items()),
            four_parts,
            contact,
            check_fixes,
        )
        models = _models_in_force(compiled)
        remembered = remembered_in.get(key, models)
        if remembered is not None:
            return remembered
    started = time.perf_counter()
    doc = nlp(defuse_long_runs(text))
    if timings is not None:
        timings["tokenise"] = time.perf_counter() - started
    reply = Reply(
        text=text,
        doc=doc,
        language=chosen,
        rules=compiled.rules if compiled else None,
        channel=channel,
        compiled=compiled,
        complaint=complaint,
        parts=parts,
        part_spans=dict(part_spans or {}),
        four_parts=four_parts,
        contact=contact or Contact(),
        readability_min=policy.readability_min,
        negative_at=policy.negative_at,
    )
    findings: list[Finding] = []
    for registered in REGISTRY:
        started = time.perf_counter()
        for finding in registered.run(reply):
            severity = policy.severity(finding.code)
            if finding.code == "too_long" and "thread" in finding.details and severity == BLOCK:
                severity = THREADED_MAX_SEVERITY  # a thread split is offered: it can go out
            if finding.details.get("expected") is False and severity in (BLOCK, WARN):
                severity = UNEXPECTED_PART_MAX_SEVERITY
            findings.append(finding.with_severity(severity))
            reply.earlier.append(finding)
        if timings is not None:
            timings[registered.name] = time.perf_counter() - started
    findings = [finding for finding in findings if finding.severity != "off"]
    findings.sort(key=lambda f: (f.start, SEVERITY_RANK.get(f.severity, 9), f.end, f.code))
    findings, capped = _capped(findings)
    if check_fixes:

        def recheck(fixed: str, shifted: dict[str, tuple[int, int]]) -> ToneReport:
            return check(
                fixed,
                channel=channel,
                policy=policy,
                complaint=complaint,
                language=chosen,
                parts=parts,
                part_spans=shifted,
                four_parts=four_parts,
                contact=contact,
                check_fixes=False,
            )

        findings = _checked_fixes(text, findings, reply.part_spans, compiled, recheck)
    for code, total in capped.items():
        notices.append(
            Words(
                N_("%(check)s: %(total)s found; the first %(marked)s are marked."),
                {
                    "check": Term("tone_code", code, CODE_LABELS.get(code, code)),
                    "total": Number(total),
                    "marked": MAX_PER_CODE,
                },
            )
        )
    report = ToneReport(
        text=text,
        language=chosen,
        findings=findings,
        parts={part: reply.parts_found[part] for part in PART_CODES if part in reply.parts_found},
        readability=reply.readability,
        sentiment=reply.sentiment.compound if reply.sentiment else None,
        notices=notices,
        part_spans=reply.part_spans,
        capped=capped,
    )
    if key is not None:
        remembered_in.put(key, models, report)
    return report


def _models_in_force(compiled: CompiledRules | None) -> tuple:
    """The trained models the checks would use now (a retrained one is another object)."""
    if compiled is None:
        return ()
    rules = compiled.rules
    return tuple(
        text_models.find(check.model.name, rules.language)
        for check in rules.wording.values()
        if check.model is not None
    )


def _copy(report: ToneReport) -> ToneReport:
    """A report the caller may change without changing the one remembered (findings are
    frozen)."""
    return replace(
        report,
        findings=list(report.findings),
        parts={part: dict(found) for part, found in report.parts.items()},
        notices=list(report.notices),
        part_spans=dict(report.part_spans),
        capped=dict(report.capped),
    )


def forget_reports() -> None:
    """Empty the remembered reports (the tests' clean slate; nothing else needs it)."""
    LIVE.clear()
    LIBRARY.clear()


def _checked_fixes(text, findings, spans, compiled, recheck) -> list[Finding]:
    """The findings, each suggestion kept only if the reply it makes is better (not empty,
    its finding gone, no new one, no new grammar slip: `fixes.grammar_slips`), with the
    sentence before and after it (`details["preview"]`)."""
    offered = [f for f in findings if f.suggestion is not None]
    if not offered:
        return findings
    codes = Counter(f.code for f in findings)
    slips = grammar_slips(text, compiled.rules.fixes) if compiled else None
    good: dict[int, dict[str, str]] = {}
    if len(text) <= MAX_CHARS_FIXES_CHECKED:
        for finding in offered[:MAX_FIXES_CHECKED]:
            start, end = _replaced(finding)
            fixed = text[:start] + finding.suggestion + text[end:]
            shift = len(fixed) - len(text)
            shifted = {
                part: (a + (shift if a >= end else 0), b + (shift if b >= end else 0))
                for part, (a, b) in spans.items()
            }
            after = recheck(fixed, shifted)
            fixed_codes = Counter(f.code for f in after.findings)
            if (
                fixed.strip()
                and not set(fixed_codes) - set(codes)
                and fixed_codes[finding.code] < codes[finding.code]
                and (
                    slips is None
                    or _no_new_slips(slips, grammar_slips(after.text, compiled.rules.fixes))
                )
            ):
                good[id(finding)] = preview(text, start, end, finding.suggestion)
    return [
        f
        if f.suggestion is None
        else replace(f, details={**f.details, "preview": good[id(f)]})
        if id(f) in good
        else replace(f, suggestion=None, replace_start=None, replace_end=None)
        for f in findings
    ]


def _replaced(finding: Finding) -> tuple[int, int]:
    start = finding.start if finding.replace_start is None else finding.replace_start
    end = finding.end if finding.replace_end is None else finding.replace_end
    return start, end


def _no_new_slips(before: dict[str, int], after: dict[str, int]) -> bool:
    return all(after[name] <= count for name, count in before.items())


def _capped(findings: list[Finding]) -> tuple[list[Finding], dict[str, int]]:
    """The first MAX_PER_CODE findings of each code (in reading order), the last of them
    saying how many more there are; and the totals of the codes that were cut."""
    totals = Counter(finding.code for finding in findings)
    over = {code: total for code, total in totals.items() if total > MAX_PER_CODE}
    if not over:
        return findings, {}
    kept, seen = [], Counter()
    for finding in findings:
        seen[finding.code] += 1
        shown = seen[finding.code]
        if shown > MAX_PER_CODE:
            continue
        if shown == MAX_PER_CODE and finding.code in over:
            more = over[finding.code] - MAX_PER_CODE
            finding = replace(
                finding,
                message=f"{finding.message} (And {more:,} more like this.)",
                details={**finding.details, "total": over[finding.code]},
            )
        kept.append(finding)
    return kept, over
