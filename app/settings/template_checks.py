"""Admin → Template library: the reply variants in force, each with whether it passes.

Every call reads `response_templates/` afresh (with the versions admins saved in the app,
when the caller passes `combine`) and checks it, so the page shows what is in force now,
not what was loaded at start-up (nothing is cached between requests). For each variant:

- the tone check, on its text filled with sample values (the company's details where they
  are set), finds nothing that warns or blocks;
- its placeholders are all known ones;
- how long it is against the shortest public channel (information only: the builder picks
  shorter variants or splits a thread when a whole reply does not fit).

`check_variant` checks one variant the same way (what a save on the edit page must pass:
app.settings.template_versions). When the files do not load, the report carries the error
with its file and line instead; the running app keeps the library it loaded at start-up.
No Flask, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.analysis.rules import CATEGORIES, FLAG_LABELS
from app.channels import ChannelInfo, fit, measure
from app.core.datafile import DataFileError
from app.core.words import N_
from app.drafts.builder import follow_up_phrase
from app.drafts.response_templates import (
    PART_LABELS,
    PARTS,
    AttackGuidance,
    Conditions,
    FollowUpWords,
    Library,
    Variant,
    load_library,
)
from app.placeholders import Segment, fill, segments, unknown
from app.settings.company import CompanyDetails
from app.tone import checker
from app.tone.catalogue import BLOCK, CODE_LABELS, WARN
from app.tone.checks import Contact
from app.tone.policy import TonePolicy

#: The holding reply to an attack is listed, and checked, like a part's variants.
HOLDING_REPLY = "holding_reply"
SECTIONS = (*PARTS, HOLDING_REPLY)
SECTION_LABELS = {**PART_LABELS, HOLDING_REPLY: N_("Holding reply to an attack")}

PASS, WARNING, FAIL = "pass", "warning", "fail"
STATUSES = (PASS, WARNING, FAIL)
#: The library page's language filter value that lists every language.
ALL_LANGUAGES = "all"
STATUS_LABELS = {PASS: N_("Passes"), WARNING: N_("Warning"), FAIL: N_("Fails")}

#: Used where the company has not set a value, so the tone check reads a whole sentence.
SAMPLE_COMPANY = {
    "company_name": "our company",
    "company_phone": "0808 157 0192",
    "company_email": "care@example.com",
    "faq_url": "https://help.example.com/faq",
    "dm_instruction": "send us a DM",
}
#: What comes from the complaint or the agent, when checking a template on its own.
SAMPLE_CASE = {
    "customer_name": "Alex",
    "handle": "@alex_r",
    "order_ref": "NW-48213",
    "claim_ref": "CLM-20931",
    "agent_name": "Sam",
}

CONDITION_KEYS = {
    "types": "type",
    "categories": "category",
    "flags": "flag",
    "visibility": "channel",  # "the channel is public"
}


@dataclass(frozen=True)
class Issue:
    """A tone finding that warns or blocks, with the words at fault."""

    code: str
    label: str
    severity: str
    words: str
    message: str


@dataclass(frozen=True)
class Condition:
    """One line of when a variant is offered: ("Only when", "the flag is Billing or
    Account, and the type is Aggressive")."""

    kind: str
    words: str


@dataclass(frozen=True)
class VariantCheck:
    id: str
    section: str
    language: str
    text: str
    segments: tuple[Segment, ...]
    #: "public and private channels", "public channels only", …
    offered_on: str
    conditions: tuple[Condition, ...]
    offline: bool
    #: The channel the tone check and the length used.
    checked_on: str
    filled: str
    issues: tuple[Issue, ...]
    unknown_placeholders: tuple[str, ...]
    length: int
    #: The shortest public channel's limit; None when there is no public channel.
    limit: int | None
    #: Whether it fits one post there on its own; None when there is no public channel.
    fits: bool | None
    where: str

    @property
    def tone_passes(self) -> bool:
        return not self.issues

    @property
    def status(self) -> str:
        if self.unknown_placeholders or any(issue.severity == BLOCK for issue in self.issues):
            return FAIL
        return WARNING if self.issues else PASS

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class TopicCheck:
    language: str
    category: str
    text: str
    issues: tuple[Issue, ...]


@dataclass(frozen=True)
class LoadProblem:
    """Why the files on disk do not load: the file, the line and the message."""

    path: str
    line: int | None
    message: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class LibraryReport:
    folder: str
    problem: LoadProblem | None = None
    languages: tuple[str, ...] = ()
    variants: list[VariantCheck] = field(default_factory=list)
    topics: list[TopicCheck] = field(default_factory=list)
    attack: dict[str, AttackGuidance] = field(default_factory=dict)
    shortest_public: ChannelInfo | None = None
    #: The sample values the variants were filled with: per language, by placeholder (the
    #: follow-up day is in each language's words).
    samples: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Company details not set (field labels): a sample stood in for each.
    sampled_company: tuple[str, ...] = ()
    #: The files differ from the library the app loaded at start-up.
    changed_since_start: bool = False

    @property
    def loads(self) -> bool:
        return self.problem is None

    def counts(self) -> Counter[str]:
        return Counter(check.status for check in self.variants)

    @property
    def too_long(self) -> int:
        return sum(1 for check in self.variants if check.fits is False)

    @property
    def topics_with_issues(self) -> int:
        return sum(1 for topic in self.topics if topic.issues)

    def summary(self) -> str:
        """ "80 variants in 1 language: 78 pass, 1 warning, 1 failing"."""
        total = len(self.variants)
        languages = len(self.languages)
        counts = self.counts()
        pieces = [f"{counts[PASS]} pass"]
        if counts[WARNING]:
            pieces.append(f"{counts[WARNING]} warning{'' if counts[WARNING] == 1 else 's'}")
        if counts[FAIL]:
            pieces.append(f"{counts[FAIL]} failing")
        return (
            f"{total} variant{'' if total == 1 else 's'} in {languages} "
            f"language{'' if languages == 1 else 's'}: {', '.join(pieces)}"
        )

    def matching(
        self, *, section: str = "", status: str = "", language: str = ""
    ) -> list[VariantCheck]:
        """The variants in `section` with `status` in `language` (empty matches all)."""
        return [
            check
            for check in self.variants
            if (not section or check.section == section)
            and (not status or check.status == status)
            and (not language or check.language == language)
        ]

    def language_to_show(self, asked: str) -> str:
        """The language the library page lists ("" for all): the one asked for, all of
        them when asked ("all"), else English (or the first) when there are several, so
        that one library at a time stays readable; the summary counts every language."""
        if asked == ALL_LANGUAGES or len(self.languages) <= 1:
            return ""
        if asked in self.languages:
            return asked
        return "en" if "en" in self.languages else self.languages[0]

    def counts_by_language(self) -> dict[str, Counter[str]]:
        """Per language, how many variants have each status (for the language filter)."""
        counts: dict[str, Counter[str]] = {language: Counter() for language in self.languages}
        for check in self.variants:
            counts[check.language][check.status] += 1
        return counts


def sample_values(
    company: CompanyDetails,
    *,
    now: datetime,
    timezone: str,
    dates: FollowUpWords,
    language: str = "en",
) -> dict[str, str]:
    """What each placeholder is filled with to check a template in one language: the
    company's details where set (a sample otherwise), a plausible customer and agent, and
    the follow-up day in that language's words. `topic` is filled per variant."""
    values = {
        "company_name": company.name,
        "company_phone": company.phone,
        "company_email": company.email,
        "faq_url": company.faq_url,
        "dm_instruction": company.dm_instruction_in(language),
    }
    values = {name: value or SAMPLE_COMPANY[name] for name, value in values.items()}
    values["follow_up_when"] = follow_up_phrase(now, company.follow_up_days, timezone, dates)
    return {**SAMPLE_CASE, **values}


COMPANY_FIELD_LABELS = {
    "name": N_("company name"),
    "phone": N_("phone number"),
    "email": N_("customer care e-mail"),
    "faq_url": N_("help page link"),
    "dm_instruction": N_("how to reach you privately"),
}


def missing_company_details(company: CompanyDetails) -> tuple[str, ...]:
    """The company details replies need but nobody has set (labels, in form order)."""
    return tuple(
        label for name, label in COMPANY_FIELD_LABELS.items() if not getattr(company, name)
    )


def _offered_on(variant: Variant) -> tuple[str, ...]:
    allowed = variant.requires.visibility or frozenset({"public", "private"})
    return tuple(
        v for v in ("public", "private") if v in allowed and v not in variant.avoid.visibility
    )


def _words(values: Iterable[str], key: str) -> tuple[str, ...]:
    if key == "flags":
        return tuple(FLAG_LABELS.get(value, value) for value in sorted(values))
    if key == "visibility":
        return tuple(sorted(values))
    return tuple(value.capitalize() for value in sorted(values))


#: How the keys of one condition combine: `requires` needs them all, any `avoid` rules a
#: variant out, each matching `suits` makes it a better fit.
_CONDITION_KINDS = (
    ("requires", N_("Only when"), ", and "),
    ("avoid", N_("Never when"), ", or "),
)


def _clause(key: str, values: frozenset[str]) -> str:
    words = _words(values, key)
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    return f"the {CONDITION_KEYS[key]} is {listed}"


def _conditions(variant: Variant) -> tuple[Condition, ...]:
    lines = []
    for attribute, kind, glue in _CONDITION_KINDS:
        conditions: Conditions = getattr(variant, attribute)
        clauses = [
            _clause(key, getattr(conditions, key))
            for key in CONDITION_KEYS
            # where a variant may go out is said once, in `offered_on`
            if key != "visibility" and getattr(conditions, key)
        ]
        if clauses:
            lines.append(Condition(kind, glue.join(clauses)))
    suits = [
        _clause(key, getattr(variant.suits, key))
        for key in CONDITION_KEYS
        if getattr(variant.suits, key)
    ]
    if suits:
        lines.append(Condition(N_("Best fit when"), "; ".join(suits)))
    return tuple(lines)


def _issues(report: checker.ToneReport) -> tuple[Issue, ...]:
    return tuple(
        Issue(
            code=finding.code,
            label=CODE_LABELS.get(finding.code, finding.code),
            severity=finding.severity,
            words=report.text[finding.start : finding.end],
            message=finding.message,
        )
        for finding in report.findings
        if finding.severity in (WARN, BLOCK) and finding.code != "too_long"
    )


def _topic_for(variant_conditions: Sequence[Conditions], topics: dict[str, str]) -> str:
    """The topic phrase a variant is most likely filled with: its category if it names one."""
    for conditions in variant_conditions:
        for category in CATEGORIES:
            if category in conditions.categories:
                return topics[category]
    return topics.get("delivery") or next(iter(topics.values()), "")


class _Checker:
    """Checks texts the same way for every variant of one report."""

    def __init__(
        self,
        *,
        policy: TonePolicy,
        samples: dict[str, dict[str, str]],
        public: ChannelInfo,
        private: ChannelInfo,
        shortest_public: ChannelInfo | None,
    ) -> None:
        self.policy = policy
        #: Per language: the follow-up day is in its words.
        self.samples = samples
        self.public = public
        self.private = private
        self.shortest_public = shortest_public
        company = next(iter(samples.values()))
        self.contact = Contact(phone=company["company_phone"], email=company["company_email"])

    def tone(self, text: str, *, channel: ChannelInfo, language: str) -> checker.ToneReport:
        return checker.check(
            text,
            channel=channel,
            policy=self.policy,
            language=language,
            four_parts=False,
            contact=self.contact,
            cached=checker.LIBRARY,  # a second visit re-checks only what changed
        )

    def variant(
        self,
        *,
        id: str,
        section: str,
        language: str,
        text: str,
        offered: tuple[str, ...],
        conditions: tuple[Condition, ...],
        offline: bool,
        topic: str,
        where: str,
    ) -> VariantCheck:
        # A variant that may go out in public is checked as a public reply: the stricter
        # checks (personal data, private topics) apply there.
        public = "public" in offered or not offered
        channel = self.public if public else self.private
        filled, _ = fill(text, {**self.samples[language], "topic": topic}, public=public)
        report = self.tone(filled, channel=channel, language=language)
        room = fit(filled, self.shortest_public) if self.shortest_public else None
        if not offered:
            where_words = "no channel (its conditions rule out both)"
        elif len(offered) == 2:
            where_words = "public and private channels"
        else:
            where_words = f"{offered[0]} channels only"
        return VariantCheck(
            id=id,
            section=section,
            language=language,
            text=text,
            segments=segments(text),
            offered_on=where_words,
            conditions=conditions,
            offline=offline,
            checked_on=channel.name,
            filled=filled,
            issues=_issues(report),
            unknown_placeholders=unknown(text),
            length=room.length if room else measure(filled, channel),
            limit=room.limit if room else None,
            fits=room.fits if room else None,
            where=where,
        )


def _relative(path: str, folder: Path) -> str:
    """`response_templates/en/validate.yaml` rather than a long absolute path."""
    try:
        return str(Path(path).resolve().relative_to(folder.resolve().parent))
    except ValueError:
        return path


def _checker(
    library: Library,
    *,
    channels: Sequence[ChannelInfo],
    policy: TonePolicy,
    company: CompanyDetails,
    now: datetime,
    timezone: str,
) -> tuple[_Checker, dict[str, dict[str, str]], ChannelInfo | None]:
    """The one checker for `library` (with its sample values and shortest public channel)."""
    public_channels = sorted(
        (channel for channel in channels if channel.is_public), key=lambda c: c.char_limit
    )
    private_channels = sorted(
        (channel for channel in channels if not channel.is_public), key=lambda c: c.char_limit
    )
    shortest_public = public_channels[0] if public_channels else None
    fallback_public = ChannelInfo("public", "a public channel", True, 280, False)
    fallback_private = ChannelInfo("private", "a private channel", False, 50_000, False)
    samples = {
        language: sample_values(
            company, now=now, timezone=timezone, dates=library.dates[language], language=language
        )
        for language in library.languages
    }
    check = _Checker(
        policy=policy,
        samples=samples,
        public=shortest_public or fallback_public,
        private=private_channels[0] if private_channels else fallback_private,
        shortest_public=shortest_public,
    )
    return check, samples, shortest_public


def check_variant(
    variant: Variant,
    *,
    library: Library,
    channels: Sequence[ChannelInfo],
    policy: TonePolicy,
    company: CompanyDetails,
    now: datetime,
    timezone: str,
) -> VariantCheck:
    """One variant (e.g. as an admin typed it) checked as the library page checks each:
    filled with sample values in its language, tone, placeholders, length."""
    check, _, _ = _checker(
        library, channels=channels, policy=policy, company=company, now=now, timezone=timezone
    )
    return check.variant(
        id=variant.id,
        section=variant.part,
        language=variant.language,
        text=variant.text,
        offered=_offered_on(variant),
        conditions=_conditions(variant),
        offline=variant.offline,
        topic=_topic_for((variant.requires, variant.suits), library.topics[variant.language]),
        where=variant.path,
    )


def check_library(
    folder: Path | str,
    *,
    channels: Sequence[ChannelInfo],
    policy: TonePolicy,
    company: CompanyDetails,
    now: datetime,
    timezone: str,
    running: Library | None = None,
    combine: Callable[[Library], Library] | None = None,
) -> LibraryReport:
    """Load the library in `folder` now and check every variant, topic and holding reply.

    `channels`: the active channels (the shortest public one sets the length line);
    `running`: the library the app loaded at start-up, to say when the files changed since;
    `combine`: what makes the library in force of the files' (the versions saved in the app).
    """
    folder = Path(folder)
    report = LibraryReport(folder=str(folder))
    try:
        library = load_library(folder)
        library = combine(library) if combine else library
    except DataFileError as error:
        report.problem = LoadProblem(_relative(error.path, folder), error.line, error.message)
        return report
    except OSError as error:  # unreadable file or folder: still a page, not a 500
        report.problem = LoadProblem(
            _relative(str(error.filename or folder), folder), None, error.strerror or str(error)
        )
        return report

    check, samples, shortest_public = _checker(
        library, channels=channels, policy=policy, company=company, now=now, timezone=timezone
    )
    report.languages = library.languages
    report.shortest_public = shortest_public
    report.samples = samples
    report.sampled_company = missing_company_details(company)
    report.attack = dict(library.attack)
    report.changed_since_start = running is not None and not _same(library, running)
    for language in library.languages:
        topics = library.topics[language]
        for part in PARTS:
            for variant in library.for_part(language, part):
                report.variants.append(
                    check.variant(
                        id=variant.id,
                        section=part,
                        language=language,
                        text=variant.text,
                        offered=_offered_on(variant),
                        conditions=_conditions(variant),
                        offline=variant.offline,
                        topic=_topic_for((variant.requires, variant.suits), topics),
                        where=f"{_relative(variant.path, folder)}:{variant.line}",
                    )
                )
        guidance = library.attack[language]
        report.variants.append(
            check.variant(
                id=f"attack-{language}",
                section=HOLDING_REPLY,
                language=language,
                text=guidance.holding_reply,
                offered=("public", "private"),
                conditions=(
                    Condition(N_("Only when"), f"the flag is {FLAG_LABELS['harassment']}"),
                ),
                offline=False,
                topic=topics.get("other", ""),
                where=_relative(str(folder / language / "attack.yaml"), folder),
            )
        )
        for category in CATEGORIES:
            text = topics[category]
            tone = check.tone(text, channel=check.public, language=language)
            report.topics.append(TopicCheck(language, category, text, _issues(tone)))
    return report


def _same(disk: Library, running: Library) -> bool:
    return (
        disk.variants == running.variants
        and disk.topics == running.topics
        and disk.attack == running.attack
    )
