"""The tone rules, read from `app/tone/rules/<language>/*.yaml` and checked once.

Files per language:

- `wording.yaml`: the word-level checks (blame, non_apology, dismissive, argumentative,
  hostile, sarcasm, overpromise, legal_risk, private_topic). Each has a `message`, `cues`
  and optional `not` phrases inside which a cue does not count. A cue is a phrase
  (matched on lemmas, any case: "you should have" finds "You SHOULD'VE"), `{exact: ...}`
  (word for word), or `{pattern: [...]}` (a spaCy Matcher token pattern), optionally with
  its own `message` and a `suggestion` that replaces the matched words ("" deletes them;
  `{0}`, `{1}`… stand for the matched words as written, `{2-}` for the words from the third
  on) or, with `scope: clause`, the
  whole clause the words are in (`clause_end`: from the words to the clause's end).
- `parts.yaml`: what shows each of the four parts, and the message when one is missing.
- `context.yaml`: the customer's angry words (for mirrors_anger), personal data kinds and
  what replaces them, who is speaking (the phrases that introduce the company's own
  contact details, role mailboxes, the signature; the agent's own number), requests for
  personal data in public, words
  in capitals that are not shouting, the sentiment lexicon's care words, readability.
- `fixes.yaml`: how a one-click fix keeps the reply grammatical: the words that end a
  clause, and, for personal data, the words that already name it and those that make it
  the agent's own.

Every mistake is a DataFileError naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.core.datafile import (
    DataFileError,
    LocatedDict,
    check_keys,
    expect_list,
    expect_mapping,
)
from app.core.patterns import check_linear
from app.nlp.common import ENTITY_KINDS
from app.nlp.rules import Entry, entries, entry, freeze, languages_in, rule_file, token_pattern
from app.tone.catalogue import PART_CODES

RULES_DIR = Path(__file__).parent / "rules"
#: The word scores negative_tone can read a reply with (context.yaml, `lexicon`).
LEXICONS = frozenset({"vader", "own", None})

#: The checks whose rules are cue lists in wording.yaml.
WORDING_CODES = (
    "blame",
    "non_apology",
    "dismissive",
    "argumentative",
    "hostile",
    "sarcasm",
    "overpromise",
    "legal_risk",
    "private_topic",
)


#: What a cue's suggestion replaces: the matched words, the whole clause they are in, or
#: the words from the cue to the end of its clause ("sorry you feel that way" -> "sorry we
#: let you down").
SCOPES = ("words", "clause", "clause_end")


@dataclass(frozen=True)
class Cue:
    entry: Entry
    exact: bool
    message: str | None
    suggestion: str | None
    scope: str = "words"


@dataclass(frozen=True)
class FixRules:
    """How fixes stay grammatical (fixes.yaml)."""

    #: Words that start a new clause ("and", "but", "so"): a clause-wide fix stops there.
    clause_breaks: frozenset[str]
    #: Personal data kind -> words that, right before the value, already name it ("order"
    #: before "#NW-48213"): the value alone is deleted instead of replaced.
    named_by: dict[str, frozenset[str]]
    #: Words right before a phone number or e-mail that make it the agent's own ("my
    #: mobile", "call me on"): no replacement is offered for it.
    own: tuple[tuple[str, ...], ...]
    #: Words between a detail's name and the detail that go with it ("ending in", "#").
    lead_in: frozenset[str]
    #: Words before a name that make it the customer's own ("your", "the"): the name stays
    #: and the detail goes; without one the name goes with the detail.
    determiners: frozenset[str]
    #: Words that link a name to its value ("is", "was"): "your e-mail is sam@…" only
    #: gives the detail, and the sentence goes.
    linking: frozenset[str]
    #: Words that cannot end a clause ("on", "the"): a fix that leaves one there is refused.
    dangling: frozenset[str]
    #: Words written with a capital letter anywhere in a sentence (the Latvian polite
    #: "Jūs", "Jums", "Jūsu"): a suggestion starting with one keeps its capital mid-sentence.
    capitalised: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Negation:
    """What turns a clause around: a cue up to `reach` words after one of `words`, with
    none of `ends` between them, is negated ("we can't make any promises")."""

    words: frozenset[str]
    ends: frozenset[str]
    reach: int


@dataclass(frozen=True)
class Unless:
    """Phrases that cancel a check's cues when said near them: in the same sentence
    (`reach` 0) or up to `reach` sentences either side. A phrase a negation reaches does
    not count ("it is not our fault" admits nothing)."""

    phrases: tuple[Entry, ...] = ()
    reach: int = 0
    negation: Negation | None = None


@dataclass(frozen=True)
class CueCheck:
    code: str
    message: str
    cues: tuple[Cue, ...]
    negative: tuple[Entry, ...]
    #: What to offer when a cue has no `suggestion` of its own: None, or "delete_sentence"
    #: (the whole sentence is the problem: a blaming or contradicting sentence).
    otherwise: str | None = None
    #: A negation cancels the cues it reaches (the language's `Negation`), or None.
    negation: Negation | None = None
    unless: Unless = Unless()
    #: A trained model that also judges each sentence (app/ml), beside the cues.
    model: ModelRule | None = None


@dataclass(frozen=True)
class ModelRule:
    """`model:` in a check: sentences the named model scores at or over `threshold` are
    findings, with `message` (the plain-language reason)."""

    name: str
    threshold: float
    message: str


@dataclass(frozen=True)
class PartRules:
    part: str
    message: str
    cues: tuple[Cue, ...]
    negative: tuple[Entry, ...]
    #: Entity kinds that show the part by themselves (a link or a phone number: direction).
    entities: frozenset[str]


@dataclass(frozen=True)
class ToneRules:
    language: str
    wording: dict[str, CueCheck]
    parts: dict[str, PartRules]
    anger: tuple[Cue, ...]
    anger_message: str
    #: Personal data kind -> the words that can stand in for it ("your order").
    private_kinds: dict[str, str]
    private_message: str
    #: Phrases right before a phone number or e-mail that make it the company's own.
    own_contact: tuple[Entry, ...]
    #: Phone numbers (as digits) in organisations' ranges: never a customer's.
    business_numbers: re.Pattern
    #: E-mail names that are a team's, not a person's ("care@", "support@"), lower case
    #: with dots, dashes and underscores taken out: the company's own.
    role_mailboxes: frozenset[str]
    #: A signature: up to this many short lines (`signature_words` words or fewer) at the
    #: end of a reply, after its last full sentence; contact details in it are the sender's.
    signature_lines: int
    signature_words: int
    #: Phrases right before a phone number that make it the agent's own ("my mobile"):
    #: not the customer's data, but a personal number given out in public.
    agent_contact: tuple[Entry, ...]
    agent_message: str
    #: Asking the customer to post personal data in public ("reply here with your card
    #: number"), unless a private channel is named near it.
    requests: tuple[Cue, ...]
    requests_unless: Unless
    request_message: str
    acronyms: frozenset[str]
    shouting_message: str
    #: Words a care reply uses kindly that a general sentiment lexicon scores negative.
    care_words: dict[str, float]
    #: Defeatist phrases ("nothing we can do"): each lowers its sentence's score.
    defeatist: tuple[Cue, ...]
    defeatist_weight: float
    #: negative_tone when at least this share of the words is in negative sentences.
    negative_share: float
    negative_message: str
    #: Whose word scores read the reply: "vader" (VADER's English lexicon, `care_words`
    #: adjusting it) or "own" (only the language's `care_words` scores); None: the
    #: negative_tone check does not run in this language.
    lexicon: str | None
    readability_min_words: int
    long_sentence_words: int
    readability_message: str
    fixes: FixRules
    #: Added to the policy's reading-ease minimum for this language: Flesch scores are on
    #: each language's own scale (plain Polish scores some 40 points below plain English).
    readability_offset: float = 0.0
    #: How reading ease is measured: "flesch" (textstat, the languages it has constants
    #: for; the policy's minimum applies) or "lix" (Björnsson's LIX, language-independent;
    #: lower is easier and `readability_maximum` is the line), from context.yaml.
    readability_formula: str = "flesch"
    readability_maximum: float | None = None


def _text(spec: LocatedDict, key: str, path: Path, what: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataFileError(path, spec.line_of(key), f"{what} needs a `{key}` text")
    return " ".join(value.split())


def _cues(value: Any, path: Path, line: int) -> tuple[Cue, ...]:
    items = expect_list(value, path, line, "cues")
    cues = []
    for index, item in enumerate(items):
        item_line = items.line_of(index)
        if isinstance(item, str):
            cues.append(Cue(entry(item, path, item_line), False, None, None))
            continue
        item = expect_mapping(item, path, item_line, "a cue")
        check_keys(
            item, {"phrase", "exact", "pattern", "message", "suggestion", "scope"}, path, "a cue"
        )
        kinds = [key for key in ("phrase", "exact", "pattern") if key in item]
        if len(kinds) != 1:
            raise DataFileError(path, item.line, "a cue has one of phrase, exact or pattern")
        kind = kinds[0]
        line = item.line_of(kind)
        if kind == "pattern":
            cue = Entry(None, freeze(token_pattern(item["pattern"], path, line)), line)
        else:
            cue = entry(item[kind], path, line)
        suggestion = item.get("suggestion")
        if suggestion is not None and not isinstance(suggestion, str):
            raise DataFileError(path, item.line_of("suggestion"), "a suggestion is text")
        message = item.get("message")
        if message is not None and not isinstance(message, str):
            raise DataFileError(path, item.line_of("message"), "a message is text")
        scope = item.get("scope", "words")
        if scope not in SCOPES:
            raise DataFileError(path, item.line_of("scope"), f"scope is one of {SCOPES}")
        if scope != "words" and suggestion is None:
            raise DataFileError(path, item.line_of("scope"), "a scope goes with a suggestion")
        cues.append(
            Cue(
                cue,
                kind == "exact",
                " ".join(message.split()) if message else None,
                suggestion,
                scope,
            )
        )
    return tuple(cues)


def _negatives(spec: LocatedDict, path: Path) -> tuple[Entry, ...]:
    return entries(spec.get("not", []), path, spec.line_of("not"), "not")


#: A check's fallback suggestion, for cues that have none.
OTHERWISE = frozenset({None, "delete_sentence"})


def _words(value: Any, path: Path, line: int, what: str) -> frozenset[str]:
    items = expect_list(value, path, line, what)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise DataFileError(path, items.line_of(index), f"{what}: a word, not {item!r}")
    return frozenset(str(item).lower() for item in items)


def _negation(data: LocatedDict, path: Path) -> Negation:
    spec = expect_mapping(data.get("negation"), path, data.line_of("negation"), "negation")
    check_keys(
        spec,
        {"words", "ends", "reach", "description"},
        path,
        "negation",
        required={"words", "ends", "reach"},
    )
    return Negation(
        words=_words(spec["words"], path, spec.line_of("words"), "words"),
        ends=_words(spec["ends"], path, spec.line_of("ends"), "ends"),
        reach=_positive_int(spec, "reach", path),
    )


def _unless(spec: LocatedDict, path: Path, negation: Negation | None) -> Unless:
    if "unless" not in spec:
        return Unless()
    reach = spec.get("unless_reach", 0)
    if isinstance(reach, bool) or not isinstance(reach, int) or reach < 0:
        raise DataFileError(path, spec.line_of("unless_reach"), "unless_reach: 0 or more")
    return Unless(entries(spec["unless"], path, spec.line_of("unless"), "unless"), reach, negation)


#: What a check's `negation` may say.
NEGATION = frozenset({"cancels"})


def _wording(path: Path) -> dict[str, CueCheck]:
    data = rule_file(path)
    check_keys(
        data, {"language", "negation", "checks"}, path, "the file", required={"checks", "negation"}
    )
    negation = _negation(data, path)
    checks = expect_mapping(data["checks"], path, data.line_of("checks"), "checks")
    result = {}
    for code, spec in checks.items():
        if code not in WORDING_CODES:
            raise DataFileError(
                path, checks.line_of(code), f"unknown check {code!r}; one of {WORDING_CODES}"
            )
        spec = expect_mapping(spec, path, checks.line_of(code), code)
        check_keys(
            spec,
            {
                "message",
                "cues",
                "not",
                "description",
                "otherwise",
                "negation",
                "unless",
                "unless_reach",
                "model",
            },
            path,
            code,
            required={"cues"},
        )
        if spec.get("negation") not in NEGATION | {None}:
            raise DataFileError(
                path, spec.line_of("negation"), f"negation is one of {sorted(NEGATION)}"
            )
        otherwise = spec.get("otherwise")
        if otherwise not in OTHERWISE:
            raise DataFileError(
                path, spec.line_of("otherwise"), f"otherwise is one of {sorted(OTHERWISE - {None})}"
            )
        result[code] = CueCheck(
            code=code,
            message=_text(spec, "message", path, code),
            cues=_cues(spec["cues"], path, spec.line_of("cues")),
            negative=_negatives(spec, path),
            otherwise=otherwise,
            negation=negation if spec.get("negation") == "cancels" else None,
            unless=_unless(spec, path, negation),
            model=_model(spec, path) if "model" in spec else None,
        )
    return result


def _model(spec: LocatedDict, path: Path) -> ModelRule:
    model = expect_mapping(spec["model"], path, spec.line_of("model"), "model")
    keys = {"name", "threshold", "message"}
    check_keys(model, keys, path, "model", required=keys)
    threshold = model.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise DataFileError(path, model.line_of("threshold"), "threshold: a number")
    if not 0 < threshold < 1:
        raise DataFileError(path, model.line_of("threshold"), "threshold: between 0 and 1")
    if not isinstance(model["name"], str):
        raise DataFileError(path, model.line_of("name"), "name: a model's name")
    return ModelRule(model["name"], float(threshold), _text(model, "message", path, "model"))


def _parts(path: Path) -> dict[str, PartRules]:
    data = rule_file(path)
    check_keys(data, {"language", "parts"}, path, "the file", required={"parts"})
    parts = expect_mapping(data["parts"], path, data.line_of("parts"), "parts")
    result = {}
    for name in PART_CODES:
        if name not in parts:
            raise DataFileError(path, parts.line, f"part {name!r} has no rules")
    for name, spec in parts.items():
        if name not in PART_CODES:
            raise DataFileError(path, parts.line_of(name), f"unknown part {name!r}")
        spec = expect_mapping(spec, path, parts.line_of(name), name)
        check_keys(spec, {"message", "cues", "not", "entities"}, path, name, required={"cues"})
        kinds = expect_list(spec.get("entities", []), path, spec.line_of("entities"), "entities")
        for index, kind in enumerate(kinds):
            if kind not in ENTITY_KINDS:
                raise DataFileError(path, kinds.line_of(index), f"unknown entity kind {kind!r}")
        result[name] = PartRules(
            part=name,
            message=_text(spec, "message", path, name),
            cues=_cues(spec["cues"], path, spec.line_of("cues")),
            negative=_negatives(spec, path),
            entities=frozenset(kinds),
        )
    return result


def _section(
    data: LocatedDict, key: str, path: Path, keys: set[str], optional: frozenset[str] = frozenset()
) -> LocatedDict:
    if key not in data:
        raise DataFileError(path, data.line, f"missing section {key!r}")
    spec = expect_mapping(data[key], path, data.line_of(key), key)
    check_keys(spec, keys | optional, path, key, required=keys - {"description"})
    return spec


#: Readability formulas a language can name in context.yaml (`hard_to_read: formula:`).
READABILITY_FORMULAS = ("flesch", "lix")


def _readability_formula(spec: LocatedDict, path: Path) -> tuple[str, float | None]:
    """`formula` (default flesch) and, for a formula where lower is easier (lix), its
    `maximum`."""
    formula = spec.get("formula", "flesch")
    if formula not in READABILITY_FORMULAS:
        raise DataFileError(
            path, spec.line_of("formula"), f"formula is one of {', '.join(READABILITY_FORMULAS)}"
        )
    if formula == "flesch":
        if "maximum" in spec:
            raise DataFileError(
                path,
                spec.line_of("maximum"),
                "maximum is for lix; flesch uses the policy's minimum",
            )
        return formula, None
    maximum = spec.get("maximum")
    if isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum <= 0:
        raise DataFileError(path, spec.line_of("maximum"), f"{formula} needs a maximum above 0")
    return formula, float(maximum)


def _positive_int(spec: LocatedDict, key: str, path: Path) -> int:
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DataFileError(path, spec.line_of(key), f"{key} is a whole number above 0")
    return value


def _words(value: Any, path: Path, line: int, what: str) -> list[str]:
    items = expect_list(value, path, line, what)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise DataFileError(path, items.line_of(index), f"{what}: words")
    return [" ".join(item.lower().split()) for item in items]


def _fixes(path: Path) -> FixRules:
    data = rule_file(path)
    check_keys(
        data,
        {"language", "clause_breaks", "private_data", "dangling", "capitalised"},
        path,
        "the file",
        required={"clause_breaks", "private_data", "dangling"},
    )
    capitalised = expect_list(
        data.get("capitalised", []), path, data.line_of("capitalised"), "capitalised"
    )
    for index, word in enumerate(capitalised):
        if not isinstance(word, str) or not word[:1].isupper():
            raise DataFileError(path, capitalised.line_of(index), f"{word!r}: a capitalised word")
    private = _section(
        data, "private_data", path, {"named_by", "own", "linking", "lead_in", "determiners"}
    )
    named = expect_mapping(private["named_by"], path, private.line_of("named_by"), "named_by")
    named_by = {}
    for kind, words in named.items():
        if kind not in ENTITY_KINDS:
            raise DataFileError(path, named.line_of(kind), f"unknown entity kind {kind!r}")
        named_by[kind] = frozenset(_words(words, path, named.line_of(kind), kind))
    own = _words(private["own"], path, private.line_of("own"), "own")
    return FixRules(
        clause_breaks=frozenset(
            _words(data["clause_breaks"], path, data.line_of("clause_breaks"), "clause_breaks")
        ),
        named_by=named_by,
        own=tuple(tuple(phrase.split()) for phrase in own),
        lead_in=frozenset(_words(private["lead_in"], path, private.line_of("lead_in"), "lead_in")),
        determiners=frozenset(
            _words(private["determiners"], path, private.line_of("determiners"), "determiners")
        ),
        linking=frozenset(_words(private["linking"], path, private.line_of("linking"), "linking")),
        dangling=frozenset(_words(data["dangling"], path, data.line_of("dangling"), "dangling")),
        capitalised=frozenset(capitalised),
    )


@cache
def tone_rules(language: str) -> ToneRules | None:
    """The language's tone rules, or None when it has none (the checks that need no words
    still run: personal data, length, placeholders)."""
    folder = RULES_DIR / language
    if not folder.is_dir():
        return None
    context_path = folder / "context.yaml"
    data = rule_file(context_path)
    check_keys(
        data,
        {
            "language",
            "mirrors_anger",
            "private_data",
            "shouting",
            "negative_tone",
            "hard_to_read",
        },
        context_path,
        "the file",
    )
    anger = _section(data, "mirrors_anger", context_path, {"message", "cues"})
    private = _section(
        data,
        "private_data",
        context_path,
        {
            "message",
            "kinds",
            "own_contact",
            "business_numbers",
            "role_mailboxes",
            "signature_lines",
            "signature_words",
            "agent_contact",
            "agent_message",
            "requests",
            "request_message",
        },
    )
    requests = expect_mapping(
        private["requests"], context_path, private.line_of("requests"), "requests"
    )
    check_keys(
        requests,
        {"cues", "unless", "unless_reach"},
        context_path,
        "requests",
        required={"cues", "unless"},
    )
    try:
        business_numbers = re.compile(str(private["business_numbers"]))
    except re.error as error:
        raise DataFileError(
            context_path, private.line_of("business_numbers"), f"bad regex: {error}"
        ) from error
    check_linear(business_numbers, context_path, private.line_of("business_numbers"))
    kinds = expect_mapping(private["kinds"], context_path, private.line_of("kinds"), "kinds")
    for kind, words in kinds.items():
        if kind not in ENTITY_KINDS or not isinstance(words, str):
            raise DataFileError(
                context_path, kinds.line_of(kind), f"{kind!r}: an entity kind and its words"
            )
    shouting = _section(data, "shouting", context_path, {"message", "acronyms"})
    acronyms = expect_list(
        shouting["acronyms"], context_path, shouting.line_of("acronyms"), "acronyms"
    )
    negative = _section(
        data,
        "negative_tone",
        context_path,
        {"message", "care_words", "defeatist", "defeatist_weight", "negative_share", "lexicon"},
    )
    lexicon = negative.get("lexicon")
    if lexicon not in LEXICONS:
        raise DataFileError(
            context_path,
            negative.line_of("lexicon"),
            f"lexicon is one of {sorted(LEXICONS - {None})} (none: negative_tone does not run)",
        )
    negative_share = negative["negative_share"]
    if isinstance(negative_share, bool) or not isinstance(negative_share, int | float):
        raise DataFileError(context_path, negative.line_of("negative_share"), "a number")
    defeatist_weight = negative["defeatist_weight"]
    if isinstance(defeatist_weight, bool) or not isinstance(defeatist_weight, int | float):
        raise DataFileError(
            context_path, negative.line_of("defeatist_weight"), "defeatist_weight: a number"
        )
    care = expect_mapping(
        negative["care_words"], context_path, negative.line_of("care_words"), "care_words"
    )
    for word, value in care.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DataFileError(context_path, care.line_of(word), f"{word}: a number")
    readability = _section(
        data,
        "hard_to_read",
        context_path,
        {"message", "min_words", "long_sentence_words"},
        optional=frozenset({"ease_offset", "formula", "maximum"}),
    )
    ease_offset = readability.get("ease_offset", 0)
    if isinstance(ease_offset, bool) or not isinstance(ease_offset, int | float):
        raise DataFileError(context_path, readability.line_of("ease_offset"), "a number")
    formula, maximum = _readability_formula(readability, context_path)
    return ToneRules(
        language=language,
        wording=_wording(folder / "wording.yaml"),
        parts=_parts(folder / "parts.yaml"),
        anger=_cues(anger["cues"], context_path, anger.line_of("cues")),
        anger_message=_text(anger, "message", context_path, "mirrors_anger"),
        private_kinds=dict(kinds),
        private_message=_text(private, "message", context_path, "private_data"),
        own_contact=entries(
            private["own_contact"], context_path, private.line_of("own_contact"), "own_contact"
        ),
        business_numbers=business_numbers,
        role_mailboxes=frozenset(
            re.sub(r"[._-]", "", word)
            for word in _words(
                private["role_mailboxes"],
                context_path,
                private.line_of("role_mailboxes"),
                "role_mailboxes",
            )
        ),
        signature_lines=_positive_int(private, "signature_lines", context_path),
        signature_words=_positive_int(private, "signature_words", context_path),
        agent_contact=entries(
            private["agent_contact"],
            context_path,
            private.line_of("agent_contact"),
            "agent_contact",
        ),
        agent_message=_text(private, "agent_message", context_path, "private_data"),
        requests=_cues(requests["cues"], context_path, requests.line_of("cues")),
        requests_unless=_unless(requests, context_path, None),
        request_message=_text(private, "request_message", context_path, "private_data"),
        acronyms=frozenset(str(word) for word in acronyms),
        shouting_message=_text(shouting, "message", context_path, "shouting"),
        care_words={str(word): float(value) for word, value in care.items()},
        defeatist=_cues(negative["defeatist"], context_path, negative.line_of("defeatist")),
        defeatist_weight=float(defeatist_weight),
        negative_share=float(negative_share),
        lexicon=lexicon,
        negative_message=_text(negative, "message", context_path, "negative_tone"),
        readability_min_words=_positive_int(readability, "min_words", context_path),
        long_sentence_words=_positive_int(readability, "long_sentence_words", context_path),
        readability_message=_text(readability, "message", context_path, "hard_to_read"),
        readability_offset=float(ease_offset),
        fixes=_fixes(folder / "fixes.yaml"),
        readability_formula=formula,
        readability_maximum=maximum,
    )


def languages_with_tone_rules() -> list[str]:
    return list(languages_in(RULES_DIR))


def check_all() -> None:
    """Load every language's rules, so a broken file stops start-up, not a check.

    Once per process: a second app reuses the rules (and the matchers compiled from them,
    `checker.compiled_rules`) that the first one loaded."""
    for language in languages_with_tone_rules():
        tone_rules(language)
