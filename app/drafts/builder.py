"""The four-part draft builder: a first reply a junior agent can trust.

Given a complaint's analysis, its channel and the company details, pick one template
variant per part (validate, responsibility, direction, close the loop) by fit, fill the
placeholders, make the whole fit the channel, and offer the other fitting variants as
alternatives. Rules PRODUCT.md asks for, enforced here whatever the templates say:

- on a public channel, sensitive flags move the direction to a private channel, and
  placeholders holding the customer's personal data are never filled there;
- an attack (`harassment`) gets no apology draft, but the attack guidance (route to PR);
- a placeholder that cannot be filled stays visible as `[[order number]]`, never as a
  literal `{order_ref}`, and the draft cannot be published until someone fills it.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app import channels
from app.analysis import Analysis
from app.channels import ChannelInfo, Fit, measure
from app.core.business_time import BusinessCalendar
from app.core.clock import add_working_days
from app.drafts.response_templates import (
    PART_LABELS,
    PARTS,
    AttackGuidance,
    Case,
    FollowUpWords,
    Library,
    Variant,
)
from app.nlp.detection import language_name
from app.placeholders import PLACEHOLDERS, fill
from app.settings.company import CompanyDetails

#: On a public channel these flags take the conversation private (PRODUCT.md rule 4).
PRIVATE_MATTERS = ("billing", "account", "personal_data", "staff", "safety")
#: How many candidates per part the length search looks at.
SEARCH_WIDTH = 6


def follow_up_phrase(
    now: datetime,
    working_days: int,
    timezone: str,
    words: FollowUpWords,
    calendar: BusinessCalendar | None = None,
) -> str:
    """When the customer hears back, in the words of the reply's language: "tomorrow", "by
    Thursday" or "by 4 December" (response_templates/<language>/dates.yaml). Counted in the
    market's working days (its time zone and holidays) when `calendar` is given, else
    Monday to Friday in `timezone`."""
    if calendar is not None:
        later = calendar.add_working_days(now, working_days)
        return words.phrase(
            now.astimezone(calendar.tz).date(), later.astimezone(calendar.tz).date()
        )
    local = now.astimezone(ZoneInfo(timezone)).date()
    return words.phrase(local, add_working_days(local, working_days))


@dataclass(frozen=True)
class Sources:
    """Everything placeholders are filled from, besides the analysis."""

    company: CompanyDetails
    agent_name: str = ""
    customer_name: str = ""
    handle: str = ""
    now: datetime | None = None
    timezone: str = "UTC"
    #: The complaint's market's clock: follow-up dates in its working days (None: Monday
    #: to Friday in `timezone`).
    calendar: BusinessCalendar | None = None
    #: Varies the choice between equally good variants from one complaint to the next,
    #: so a team's public replies do not all read the same; stable for one complaint.
    seed: str = ""


@dataclass(frozen=True)
class PartChoice:
    part: str
    variant_id: str
    text: str
    #: Placeholders left as [[...]] for the agent to fill.
    unfilled: tuple[str, ...]
    fit: int
    offline: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "variant_id": self.variant_id,
            "text": self.text,
            "unfilled": list(self.unfilled),
            "fit": self.fit,
            "offline": self.offline,
        }


@dataclass
class Composition:
    mode: str  # "reply" or "attack"
    language: str
    channel: str
    parts: dict[str, PartChoice] = field(default_factory=dict)
    text: str = ""
    alternatives: dict[str, list[PartChoice]] = field(default_factory=dict)
    #: How the text sits on the channel: its length and, when it does not fit one post on
    #: a channel with threads, the thread it goes out as.
    channel_fit: Fit = field(default_factory=lambda: Fit(length=0, limit=0, fits=True))
    #: Why the direction moved to a private channel (the flags), empty when it did not.
    taken_offline_for: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    guidance: AttackGuidance | None = None

    @property
    def length(self) -> int:
        return self.channel_fit.length

    @property
    def limit(self) -> int:
        return self.channel_fit.limit

    @property
    def fits(self) -> bool:
        return self.channel_fit.fits

    @property
    def thread(self) -> list[str]:
        return self.channel_fit.thread

    @property
    def unfilled(self) -> list[str]:
        names = [name for choice in self.parts.values() for name in choice.unfilled]
        return list(dict.fromkeys(names))

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "language": self.language,
            "channel": self.channel,
            "parts": {part: choice.to_dict() for part, choice in self.parts.items()},
            # JSON objects have no order; this is the order the parts are read in.
            "part_order": list(self.parts),
            "text": self.text,
            "alternatives": {
                part: [choice.to_dict() for choice in choices]
                for part, choices in self.alternatives.items()
            },
            "length": self.length,
            "limit": self.limit,
            "fits": self.fits,
            "thread": self.thread,
            "unfilled": self.unfilled,
            "taken_offline_for": self.taken_offline_for,
            "notices": self.notices,
            "guidance": None
            if self.guidance is None
            else {
                "title": self.guidance.title,
                "summary": self.guidance.summary,
                "steps": list(self.guidance.steps),
                "holding_reply": self.text,
            },
        }


def first_name(name: str) -> str:
    """A first name fit for "Hi …": the first word, if it looks like a name."""
    words = name.strip().split()
    if not words:
        return ""
    word = words[0].strip(",.")
    if not word[:1].isupper() or not all(ch.isalpha() or ch in "'-" for ch in word):
        return ""
    return word if len(word) <= 30 else ""


def _values(
    analysis: Analysis, sources: Sources, public: bool, library: Library, language: str
) -> dict:
    company = sources.company
    topics = library.topics[language]
    values = {
        "customer_name": first_name(sources.customer_name)
        or next((first_name(e.text) for e in analysis.entities_of("name")), ""),
        "handle": sources.handle
        if not sources.handle or sources.handle.startswith("@")
        else "@" + sources.handle,
        "company_name": company.name,
        "company_phone": company.phone,
        "company_email": company.email,
        "faq_url": company.faq_url,
        "dm_instruction": company.dm_instruction_in(language),
        "agent_name": first_name(sources.agent_name),
        "follow_up_when": follow_up_phrase(
            sources.now,
            company.follow_up_days,
            sources.timezone,
            library.dates[language],
            sources.calendar,
        )
        if sources.now is not None
        else "",
        "topic": topics.get(analysis.category, topics.get("other", "")),
        "order_ref": "",
        "claim_ref": "",
    }
    if not public:
        # Personal references are repeated only where nobody else reads them.
        orders = analysis.entities_of("order_ref")
        claims = analysis.entities_of("claim_ref")
        values["order_ref"] = orders[0].text if orders else ""
        values["claim_ref"] = claims[0].text if claims else ""
    return values


def _tiebreak(seed: str, variant_id: str) -> str:
    return hashlib.sha256(f"{seed}:{variant_id}".encode()).hexdigest()


def _candidates(
    library: Library,
    language: str,
    part: str,
    case: Case,
    values: dict[str, str],
    sources: Sources,
    *,
    take_offline: bool,
) -> list[PartChoice]:
    variants: list[Variant] = [v for v in library.for_part(language, part) if v.allowed(case)]
    if case.visibility == "public":
        variants = [v for v in variants if not v.personal_placeholders]
    if part == "direction" and take_offline:
        offline = [v for v in variants if v.offline]
        if not offline:  # the templates' conditions left none: any offline one will do
            offline = [
                v
                for v in library.for_part(language, part)
                if v.offline and not v.personal_placeholders and "harassment" not in v.avoid.flags
            ]
        variants = offline
    choices = []
    for variant in variants:
        text, unfilled = fill(variant.text, values, public=case.visibility == "public")
        # A variant that can name this customer's own order or claim is more specific.
        fit = variant.fit(case) + sum(
            1 for name in variant.personal_placeholders if name not in unfilled
        )
        choices.append(
            (
                # Better fit first; a gap the agent must fill costs more than any fit gains.
                (-(fit - 10 * len(unfilled)), _tiebreak(sources.seed, variant.id)),
                PartChoice(part, variant.id, text, unfilled, fit, variant.offline),
            )
        )
    choices.sort(key=lambda item: item[0])
    return [choice for _, choice in choices]


def joiner(public: bool) -> str:
    """Between parts: one space in a public post, a blank line in a DM or e-mail."""
    return " " if public else "\n\n"


def _assemble(parts: list[PartChoice], channel: ChannelInfo) -> str:
    return joiner(channel.is_public).join(choice.text for choice in parts if choice.text)


def _choice_score(choice: PartChoice) -> int:
    return choice.fit - 10 * len(choice.unfilled)


def _best_combination(
    candidates: dict[str, list[PartChoice]], channel: ChannelInfo, library: Library, language: str
) -> list[PartChoice]:
    """The best-scoring combination that fits the channel; else the shortest of the best.

    The score adds each part's fit, takes points off for gaps and 3 for each apology after
    the first: two apologising parts read as grovelling ("I'm sorry. I'm sorry, we'll look
    into it"). What apologises is the language's own words
    (response_templates/<language>/apology.yaml: "sorry", "tut mir leid", "przepraszamy").
    Ties go to the earlier candidates.
    Each choice's length, score and apology are worked out once, not once per combination
    (some 1,300 of them for every draft).
    """
    pools = [candidates[part][:SEARCH_WIDTH] for part in PARTS]
    if any(not pool for pool in pools):
        return [pool[0] for pool in pools if pool]
    facts = [
        [
            (
                measure(choice.text, channel),
                _choice_score(choice),
                library.apologises(language, choice.text),
            )
            for choice in pool
        ]
        for pool in pools
    ]
    joiners = measure(joiner(channel.is_public), channel) * (len(pools) - 1)
    fitting = shortest = None
    for ranks in itertools.product(*(range(len(pool)) for pool in pools)):
        length, score, apologies = joiners, 0, 0
        for pool_facts, rank in zip(facts, ranks, strict=True):
            choice_length, choice_score, apology = pool_facts[rank]
            length += choice_length
            score += choice_score
            apologies += apology
        score -= 3 * max(0, apologies - 1)
        key = (-score, sum(ranks))
        if length <= channel.char_limit and (fitting is None or key < fitting[0]):
            fitting = (key, ranks)
        if shortest is None or (length, key) < shortest[0]:
            shortest = ((length, key), ranks)
    best = fitting[1] if fitting else shortest[1]
    return [pool[rank] for pool, rank in zip(pools, best, strict=True)]


def compose(
    library: Library,
    analysis: Analysis,
    channel: ChannelInfo,
    sources: Sources,
    *,
    language: str | None = None,
) -> Composition:
    """Build the first draft for one complaint on one channel: in the complaint's language,
    or in `language` when the agent chose another."""
    notices = list(analysis.notices)
    chosen = language if language in library.languages else None
    language = chosen or analysis.language
    if language not in library.languages:
        notices.append(
            f"There are no reply templates in {language_name(language)} yet, so this draft is "
            f"in English. Translate it before it goes out, or ask a colleague who writes "
            f"{language_name(language)}."
        )
        language = "en" if "en" in library.languages else library.languages[0]
    elif chosen and chosen != analysis.language:
        notices.append(
            f"Drafted in {language_name(chosen)}, as chosen; the complaint is in "
            f"{language_name(analysis.language)}."
        )
    values = _values(analysis, sources, channel.is_public, library, language)

    if "harassment" in analysis.flags:
        guidance = library.attack[language]
        text, _ = fill(guidance.holding_reply, values, public=channel.is_public)
        notices.append("This reads as an attack: no apology draft. Route it to PR.")
        return Composition(
            mode="attack",
            language=language,
            channel=channel.key,
            text=text,
            channel_fit=channels.fit(text, channel),
            notices=notices,
            guidance=guidance,
        )

    flags = frozenset(analysis.flags)
    case = Case(analysis.complainer_type, analysis.category, flags, channel.visibility)
    private_matters = [flag for flag in PRIVATE_MATTERS if flag in flags]
    take_offline = channel.is_public and bool(private_matters)
    candidates = {
        part: _candidates(library, language, part, case, values, sources, take_offline=take_offline)
        for part in PARTS
    }
    chosen = _best_combination(candidates, channel, library, language)
    parts = {choice.part: choice for choice in chosen}
    text = _assemble(chosen, channel)
    composition = Composition(
        mode="reply",
        language=language,
        channel=channel.key,
        parts=parts,
        text=text,
        channel_fit=channels.fit(text, channel),
        taken_offline_for=private_matters if take_offline else [],
        notices=notices,
    )
    for part in PARTS:
        composition.alternatives[part] = [
            choice for choice in candidates[part] if part not in parts or choice is not parts[part]
        ][:8]
        if part not in parts:
            notices.append(f"No template fits “{PART_LABELS[part]}” here: write it yourself.")
    if composition.thread:
        notices.append(
            f"Too long for one post on {channel.name} ({composition.length}/{channel.char_limit}); "
            f"it can go out as a thread of {len(composition.thread)}."
        )
    elif not composition.fits:
        notices.append(
            f"Too long for {channel.name} ({composition.length}/{channel.char_limit}): shorten it."
        )
    if composition.unfilled:
        labels = ", ".join(PLACEHOLDERS[name].label for name in composition.unfilled)
        notices.append(f"Fill in the gaps marked [[ ]] before submitting: {labels}.")
    return composition
