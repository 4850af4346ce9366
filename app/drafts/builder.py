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
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.analysis import Analysis
from app.core.clock import add_working_days
from app.drafts.templates import (
    PART_LABELS,
    PARTS,
    PLACEHOLDERS,
    AttackGuidance,
    Case,
    Library,
    Variant,
    marker,
)
from app.nlp.detection import language_name
from app.settings.company import CompanyDetails

#: On a public channel these flags take the conversation private (PRODUCT.md rule 4).
PRIVATE_MATTERS = ("billing", "account", "personal_data", "staff", "safety")
#: X counts every link as 23 characters, whatever its length.
LINK_LENGTH = 23
_LINK = re.compile(r"https?://\S+")
#: Characters X counts once; everything else (emoji, CJK) counts twice.
_LIGHT = re.compile(r"[\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")
#: Parts of an emoji sequence that X does not count separately.
_JOINERS = re.compile(r"[\u200d\ufe0f\U0001f3fb-\U0001f3ff]")
#: How many candidates per part the length search looks at.
SEARCH_WIDTH = 6


@dataclass(frozen=True)
class ChannelInfo:
    key: str
    name: str
    is_public: bool
    char_limit: int
    supports_threads: bool

    @property
    def visibility(self) -> str:
        return "public" if self.is_public else "private"


def reply_length(text: str, channel_key: str) -> int:
    """The length the channel counts: X weighs links, emoji and CJK; others count characters."""
    if channel_key != "x":
        return len(text)
    links = _LINK.findall(text)
    rest = _JOINERS.sub("", _LINK.sub("", text))
    light = len(_LIGHT.findall(rest))
    return light + 2 * (len(rest) - light) + LINK_LENGTH * len(links)


def follow_up_phrase(now: datetime, working_days: int, timezone: str) -> str:
    """When the customer hears back: "tomorrow", "by Thursday" or "by 4 December"."""
    local = now.astimezone(ZoneInfo(timezone)).date()
    day = add_working_days(local, working_days)
    if day - local == timedelta(days=1):
        return "tomorrow"
    if (day - local).days <= 6:
        return f"by {day:%A}"
    return f"by {day.day} {day:%B}"


@dataclass(frozen=True)
class Sources:
    """Everything placeholders are filled from, besides the analysis."""

    company: CompanyDetails
    agent_name: str = ""
    customer_name: str = ""
    handle: str = ""
    now: datetime | None = None
    timezone: str = "UTC"
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
    length: int = 0
    limit: int = 0
    #: The reply as a numbered thread, when it cannot fit one post on a channel with threads.
    thread: list[str] = field(default_factory=list)
    #: Why the direction moved to a private channel (the flags), empty when it did not.
    taken_offline_for: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    guidance: AttackGuidance | None = None

    @property
    def fits(self) -> bool:
        return self.length <= self.limit

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


def _values(analysis: Analysis, sources: Sources, public: bool, topics: dict[str, str]) -> dict:
    company = sources.company
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
        "dm_instruction": company.dm_instruction,
        "agent_name": first_name(sources.agent_name),
        "follow_up_when": follow_up_phrase(sources.now, company.follow_up_days, sources.timezone)
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


def _fill(text: str, values: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    unfilled = []

    def replace(match: re.Match) -> str:
        name = match.group(1)
        value = values.get(name, "")
        if value:
            return value
        unfilled.append(name)
        return marker(name)

    filled = re.sub(r"\{([a-z_]+)\}", replace, text)
    return filled, tuple(dict.fromkeys(unfilled))


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
        text, unfilled = _fill(variant.text, values)
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


#: Words that make a part an apology: two apologising parts read as grovelling.
_APOLOGY = re.compile(r"\b(sorry|apologi[sz]e)\b", re.IGNORECASE)


def _combination_score(combination: tuple[PartChoice, ...]) -> int:
    score = sum(choice.fit - 10 * len(choice.unfilled) for choice in combination)
    apologies = sum(1 for choice in combination if _APOLOGY.search(choice.text))
    return score - 3 * max(0, apologies - 1)


def _best_combination(
    candidates: dict[str, list[PartChoice]], channel: ChannelInfo
) -> list[PartChoice]:
    """The best-scoring combination that fits the channel; else the shortest of the best.

    The score adds each part's fit, takes points off for gaps and for apologising twice
    ("I'm sorry. I'm sorry, we'll look into it"), and ties go to the earlier candidates.
    """
    pools = [candidates[part][:SEARCH_WIDTH] for part in PARTS]
    if any(not pool for pool in pools):
        return [pool[0] for pool in pools if pool]
    lengths = {
        id(choice): reply_length(choice.text, channel.key) for pool in pools for choice in pool
    }
    joiners = reply_length(joiner(channel.is_public), channel.key) * (len(pools) - 1)
    fitting = shortest = None
    for ranks in itertools.product(*(range(len(pool)) for pool in pools)):
        combination = tuple(pool[rank] for pool, rank in zip(pools, ranks, strict=True))
        length = joiners + sum(lengths[id(choice)] for choice in combination)
        key = (-_combination_score(combination), sum(ranks))
        if length <= channel.char_limit and (fitting is None or key < fitting[0]):
            fitting = (key, combination)
        if shortest is None or (length, key) < shortest[0]:
            shortest = ((length, key), combination)
    return list(fitting[1] if fitting else shortest[1])


def split_thread(text: str, limit: int, channel_key: str) -> list[str]:
    """A numbered thread ("1/3 …") of posts that each fit, split between sentences."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    room = limit - 6  # "12/12 "
    pieces: list[str] = []
    for sentence in sentences:
        while reply_length(sentence, channel_key) > room:
            words = sentence.split(" ")
            head = ""
            while words and reply_length((head + " " + words[0]).strip(), channel_key) <= room:
                head = (head + " " + words.pop(0)).strip()
            if not head:  # one word longer than a post: cut it
                head, words = sentence[:room], [sentence[room:]]
            pieces.append(head)
            sentence = " ".join(words)
        if sentence:
            pieces.append(sentence)
    posts: list[str] = []
    for piece in pieces:
        candidate = f"{posts[-1]} {piece}" if posts else piece
        if posts and reply_length(candidate, channel_key) <= room:
            posts[-1] = candidate
        else:
            posts.append(piece)
    return [f"{number}/{len(posts)} {post}" for number, post in enumerate(posts, start=1)]


def compose(
    library: Library,
    analysis: Analysis,
    channel: ChannelInfo,
    sources: Sources,
) -> Composition:
    """Build the first draft for one complaint on one channel."""
    notices = list(analysis.notices)
    language = analysis.language
    if language not in library.languages:
        notices.append(
            f"There are no reply templates in {language_name(language)} yet, so this draft is "
            f"in English. Translate it before it goes out, or ask a colleague who writes "
            f"{language_name(language)}."
        )
        language = "en" if "en" in library.languages else library.languages[0]
    topics = library.topics[language]
    values = _values(analysis, sources, channel.is_public, topics)

    if "harassment" in analysis.flags:
        guidance = library.attack[language]
        text, _ = _fill(guidance.holding_reply, values)
        notices.append("This reads as an attack: no apology draft. Route it to PR.")
        return Composition(
            mode="attack",
            language=language,
            channel=channel.key,
            text=text,
            length=reply_length(text, channel.key),
            limit=channel.char_limit,
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
    chosen = _best_combination(candidates, channel)
    parts = {choice.part: choice for choice in chosen}
    text = _assemble(chosen, channel)
    length = reply_length(text, channel.key)
    composition = Composition(
        mode="reply",
        language=language,
        channel=channel.key,
        parts=parts,
        text=text,
        length=length,
        limit=channel.char_limit,
        taken_offline_for=private_matters if take_offline else [],
        notices=notices,
    )
    for part in PARTS:
        composition.alternatives[part] = [
            choice for choice in candidates[part] if part not in parts or choice is not parts[part]
        ][:8]
        if part not in parts:
            notices.append(f"No template fits “{PART_LABELS[part]}” here: write it yourself.")
    if length > channel.char_limit:
        if channel.supports_threads:
            composition.thread = split_thread(text, channel.char_limit, channel.key)
            notices.append(
                f"Too long for one post on {channel.name} ({length}/{channel.char_limit}); "
                f"it can go out as a thread of {len(composition.thread)}."
            )
        else:
            notices.append(
                f"Too long for {channel.name} ({length}/{channel.char_limit}): shorten it."
            )
    if composition.unfilled:
        labels = ", ".join(PLACEHOLDERS[name].label for name in composition.unfilled)
        notices.append(f"Fill in the gaps marked [[ ]] before submitting: {labels}.")
    return composition
