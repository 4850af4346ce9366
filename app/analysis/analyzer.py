"""Reading a complaint: language, heat, complainer type, category, entities and flags.

Every conclusion carries the words that led to it (`evidence`), so the complaint page can
show a junior agent *why* a complaint is flagged `legal_threat` or typed `aggressive`.
The rules are data (see `rules.py`); this module only counts what they match.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from app.analysis.kind import Kind, nothing, read_kind
from app.analysis.rules import (
    CATEGORIES,
    FLAGS,
    PERSONAL_ENTITY_KINDS,
    LanguageRules,
    ModelInput,
    Signal,
    language_rules,
    languages_with_rules,
)
from app.core.text import clean_text, is_blank
from app.ml import model as text_models
from app.nlp import pipeline
from app.nlp.common import ENTITY_KINDS, common_rules
from app.nlp.detection import detect, language_name
from app.nlp.matching import (
    CueMatcher,
    DisjointSpans,
    SpanSet,
    defuse_long_runs,
    punctuation_runs,
    sentence_index,
    shouting_spans,
)
from app.nlp.rules import Entry, short_words

STRONG, WEAK = 1.0, 0.5
#: Most evidence spans kept per flag, type, category or heat.
MAX_EVIDENCE = 40


@dataclass(frozen=True)
class Evidence:
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Entity:
    kind: str
    text: str
    start: int
    end: int

    @property
    def personal(self) -> bool:
        return self.kind in PERSONAL_ENTITY_KINDS

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Analysis:
    language: str
    #: False when Composure has no analysis rules for the language: then heat, its label,
    #: the complainer type, the category and the kind are None (not read, never guessed
    #: with another language's rules), and `flags` holds only what does not depend on the
    #: language (`personal_data`, from the entities); the others were not checked.
    language_supported: bool
    heat: float | None
    heat_label: str | None
    complainer_type: str | None
    category: str | None
    flags: tuple[str, ...]
    entities: tuple[Entity, ...]
    #: Words behind each flag, the type, the category and the heat.
    evidence: dict[str, tuple[Evidence, ...]]
    #: Plain-language reasons for the type and the heat, for the complaint page.
    reasons: dict[str, list[str]] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    #: Complaint, question, praise or other, with a score per kind (app/analysis/kind.py);
    #: None when the language has no kind models. Its words are `evidence["kind"]`.
    kind: Kind | None = None

    def entities_of(self, kind: str) -> list[Entity]:
        return [entity for entity in self.entities if entity.kind == kind]

    @property
    def flags_checked(self) -> bool:
        """Whether every flag was looked for: a flag missing means "not there" only then
        (otherwise only `personal_data` was, by its formats)."""
        return self.language_supported

    def to_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "language_supported": self.language_supported,
            "flags_checked": self.flags_checked,
            "heat": self.heat,
            "heat_label": self.heat_label,
            "complainer_type": self.complainer_type,
            "category": self.category,
            "flags": list(self.flags),
            "entities": [entity.to_dict() for entity in self.entities],
            "evidence": {
                key: [item.to_dict() for item in items] for key, items in self.evidence.items()
            },
            "reasons": self.reasons,
            "notices": list(self.notices),
            "kind": self.kind.to_dict() if self.kind else None,
        }


@dataclass
class _Hit:
    key: str  # "flag:billing", "type:passive", "category:delivery", "heat", "calming"
    weight: float
    entry: int  # which cue, so a cue repeated five times counts once
    start: int  # token offsets
    end: int


class _Compiled:
    """The rules of one language turned into one Matcher and one PhraseMatcher."""

    def __init__(self, nlp: Language, rules: LanguageRules) -> None:
        self.nlp = nlp
        self.rules = rules
        self.cues = CueMatcher(nlp)
        #: match id -> (signal key, role, weight, cue number, together rule, group)
        self.meaning: dict[int, tuple[str, str, float, int, int, int]] = {}
        self.signals: dict[str, Signal] = {}
        self._counter = 0
        for name, signal in rules.flags.items():
            self._add_signal(f"flag:{name}", signal)
        if rules.types is not None:
            for name, signal in rules.types.signals.items():
                self._add_signal(f"type:{name}", signal)
        for name, signal in rules.categories.items():
            self._add_signal(f"category:{name}", signal)
        if rules.heat is not None:
            self._add_signal("heat", rules.heat.signal)
            self._add_signal("calming", rules.heat.calming)
        if rules.attack_insults is not None:
            self._add_signal("attack", rules.attack_insults)
        for entry in rules.jokes:
            self._add_entry("joke", "joke", 0.0, entry)
        for entry in rules.names:
            self._add_entry("name", "name", 0.0, entry)

    def _add_signal(self, key: str, signal: Signal) -> None:
        self.signals[key] = signal
        for entry in signal.strong:
            self._add_entry(key, "cue", STRONG, entry)
        for entry in signal.weak:
            self._add_entry(key, "cue", WEAK, entry)
        for entry in signal.negative:
            self._add_entry(key, "not", 0.0, entry)
        for rule_number, rule in enumerate(signal.together):
            for group_number, group in enumerate(rule.groups):
                for entry in group:
                    self._add_entry(key, "together", rule.weight, entry, rule_number, group_number)

    def _add_entry(
        self, key: str, role: str, weight: float, entry: Entry, rule: int = -1, group: int = -1
    ) -> None:
        self._counter += 1
        label = f"{key}|{role}|{self._counter}"
        match_id = self.cues.add(label, entry, exact=role == "not")
        self.meaning[match_id] = (key, role, weight, self._counter, rule, group)

    def matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        return self.cues(doc)


_compile_lock = threading.Lock()


_compiled_rules: dict[str, _Compiled] = {}


def _compiled(language: str) -> _Compiled:
    """The language's rules compiled against its current pipeline (rebuilt if reconfigured)."""
    nlp = pipeline.pipeline_for(language)
    compiled = _compiled_rules.get(language)
    if compiled is None or compiled.nlp is not nlp:
        with _compile_lock:
            compiled = _compiled_rules.get(language)
            if compiled is None or compiled.nlp is not nlp:
                compiled = _compiled_rules[language] = _Compiled(nlp, language_rules(language))
    return compiled


def warm_up() -> None:
    """Build every pipeline with rules now (start-up), not on the first complaint."""
    for language in languages_with_rules():
        _compiled(language)
        read_kind("", language)  # its models read from disk
    pipeline.pipeline_for(UNREAD_PIPELINE)  # texts in languages without rules


def _char_evidence(text: str, spans: list[tuple[int, int]]) -> tuple[Evidence, ...]:
    """Character spans as evidence, in reading order; overlapping ones become one
    ("SORT" inside "SORT IT OUT NOW")."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(Evidence(text[start:end], start, end) for start, end in merged)


def _spans(items: tuple[Evidence, ...]) -> list[tuple[int, int]]:
    return [(item.start, item.end) for item in items]


class _Reading:
    """The counted matches for one document."""

    def __init__(self, compiled: _Compiled, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text  # built once: Doc.text joins every token
        #: The trained models' probabilities, read once when first asked (_model_scores).
        self.model_scores: dict[str, tuple] | None = None
        sentence = sentence_index(doc)
        raw = compiled.matches(doc)
        negatives: dict[str, list[tuple[int, int]]] = defaultdict(list)
        joke_sentences: set[int] = set()
        self.names: list[tuple[int, int]] = []
        candidates = []
        for match_id, start, end in raw:
            key, role, weight, cue, rule, group = compiled.meaning[match_id]
            if role == "not":
                negatives[key].append((start, end))
            elif role == "joke":
                joke_sentences.add(sentence[start])
            elif role == "name":
                self.names.append((start, end))
            else:
                candidates.append((key, role, weight, cue, rule, group, start, end))
        self.hits: dict[str, list[_Hit]] = defaultdict(list)
        together: dict[tuple[str, int, int], dict[int, list[_Hit]]] = defaultdict(
            lambda: defaultdict(list)
        )
        shields = {key: SpanSet(spans) for key, spans in negatives.items()}
        for key, role, weight, cue, rule, group, start, end in candidates:
            signal = compiled.signals[key]
            if key in shields and shields[key].contains(start, end):
                continue
            if signal.jokes_cancel and sentence[start] in joke_sentences:
                continue
            hit = _Hit(key, weight, cue, start, end)
            if role == "together":
                together[(key, rule, sentence[start])][group].append(hit)
            else:
                self.hits[key].append(hit)
        for (key, rule, _sentence), groups in together.items():
            needed = len(compiled.signals[key].together[rule].groups)
            if len(groups) == needed:
                hits = [hit for group_hits in groups.values() for hit in group_hits]
                first = hits[0]
                # One together-rule counts once per text, whatever the number of sentences.
                self.hits[key].append(_Hit(key, first.weight, -1000 - rule, first.start, first.end))
                for hit in hits[1:]:
                    self.hits[key].append(_Hit(key, 0.0, -1000 - rule, hit.start, hit.end))

    def score(self, key: str) -> float:
        """The signal's cues added up: each cue once, and the same words once.

        Rule files list word forms side by side ("charge", "charged") and phrases inside
        phrases ("right now", "now"); lemmas make several cues match the same words, which
        must count once: the weightiest cue over them does.
        """
        counted: set[int] = set()
        taken = DisjointSpans()
        total = 0.0
        for hit in sorted(self.hits.get(key, ()), key=lambda h: (-h.weight, h.start)):
            if not hit.weight or hit.entry in counted:
                continue
            if not taken.overlaps(hit.start, hit.end):
                counted.add(hit.entry)
                taken.add(hit.start, hit.end)
                total += hit.weight
        return total

    def evidence(self, key: str) -> tuple[Evidence, ...]:
        """The words behind a signal, as merged character spans."""
        doc = self.doc
        return _char_evidence(
            self.text,
            [
                (doc[hit.start].idx, doc[hit.end - 1].idx + len(doc[hit.end - 1]))
                for hit in self.hits.get(key, ())
            ],
        )


def _entities(doc: Doc, reading: _Reading) -> list[Entity]:
    entities = []
    for ent in doc.ents:
        kind = "name" if ent.label_ == "PERSON" else ent.label_
        if kind in ENTITY_KINDS:
            entities.append(Entity(kind, ent.text, ent.start_char, ent.end_char))
    taken = {(entity.start, entity.end) for entity in entities}
    for start, end in reading.names:
        # The name is the last run of capitalised words in the match ("my name is Ana Ruiz").
        # The first word is the cue ("My", "Mr"); trailing words ("from") are not the name.
        tokens = list(doc[start + 1 : end])
        while tokens and not (tokens[-1].is_title and tokens[-1].is_alpha):
            tokens.pop()
        run = []
        for token in reversed(tokens):
            if token.is_title and token.is_alpha:
                run.insert(0, token)
            else:
                break
        if run:
            span = doc[run[0].i : run[-1].i + 1]
            if (span.start_char, span.end_char) not in taken:
                entities.append(Entity("name", span.text, span.start_char, span.end_char))
    entities.sort(key=lambda entity: (entity.start, -entity.end))
    kept: list[Entity] = []
    for entity in entities:
        # Overlapping finds ("Sarah" inside "Sarah Jones"): the longest, earliest one stays.
        if kept and entity.start < kept[-1].end:
            continue
        kept.append(entity)
    return kept


def _empty(language: str, notices: tuple[str, ...]) -> Analysis:
    return Analysis(
        language=language,
        language_supported=True,
        heat=0.0,
        heat_label="low",
        complainer_type="constructive",
        category="other",
        flags=(),
        entities=(),
        evidence={},
        reasons={"complainer_type": ["Nothing written to read."], "heat": []},
        notices=notices,
        kind=nothing(),
    )


#: The pipeline of text in a language without rules: the multi-language tokenizer with
#: the entity rules of rules/common.yaml, and nothing of any one language.
UNREAD_PIPELINE = "xx"


def not_read_notice(language: str) -> str:
    return (
        f"Composure has no analysis rules for {language_name(language)}: heat, type, "
        "category and flags were not read, so nothing sensitive could be ruled out. "
        "Read it yourself before replying."
    )


def _unread(text: str, language: str, notices: list[str]) -> Analysis:
    """A text in a language without rules: no heat, type, category or kind, and no flag
    that needs words (reading them with another language's rules would be a guess, and a
    calm-looking guess is the dangerous one). What does not depend on the language still
    runs: personal data in every format of rules/common.yaml (flagged `personal_data`, its
    evidence the numbers and addresses), words in capitals, runs of "!!!", the length."""
    nlp = pipeline.pipeline_for(UNREAD_PIPELINE)
    doc = nlp(defuse_long_runs(text))
    # Only the rules' entities: the blank pipeline has no trained guesses of names.
    entities = [
        Entity(ent.label_, ent.text, ent.start_char, ent.end_char)
        for ent in doc.ents
        if ent.label_ in ENTITY_KINDS
    ]
    acronyms = language_rules(common_rules().default_language).acronyms
    shouting = shouting_spans(doc, acronyms, short_words(language))
    runs = punctuation_runs(text)
    evidence: dict[str, tuple[Evidence, ...]] = {}
    personal = [(e.start, e.end) for e in entities if e.personal]
    if personal:
        evidence["personal_data"] = _char_evidence(text, personal)
    if shouting:
        evidence["shouting"] = _char_evidence(text, shouting)
    if runs:
        evidence["punctuation"] = _char_evidence(text, runs)
    readings = [f"{len(text)} characters"]
    if shouting:
        readings.append(f"{len(shouting)} word{'s' if len(shouting) != 1 else ''} in capitals")
    if runs:
        readings.append(f"{len(runs)} run{'s' if len(runs) != 1 else ''} of !!! or ???")
    if personal:
        readings.append(
            f"personal data: {len(personal)} item{'s' if len(personal) != 1 else ''} "
            "(numbers, addresses, references)"
        )
    return Analysis(
        language=language,
        language_supported=False,
        heat=None,
        heat_label=None,
        complainer_type=None,
        category=None,
        flags=("personal_data",) if personal else (),
        entities=tuple(entities),
        evidence={key: items[:MAX_EVIDENCE] for key, items in evidence.items()},
        reasons={"not_read": readings},
        notices=(*notices, not_read_notice(language)),
        kind=None,
    )


def analyze(text: str, *, channel: str | None = None, language: str | None = None) -> Analysis:
    """Analyse one complaint's text (cleaned as intake cleans it; spans refer to that text).

    `language` is the agent's correction of the detected language: the text is then read
    in that language, with its rules if it has them. A language without rules (no folder
    in app/analysis/rules/) is not read: see `_unread`.
    """
    text = clean_text(text)
    default = common_rules().default_language
    if is_blank(text):
        return _empty(language or default, ("There is no text to analyse.",))
    if language:
        notices: list[str] = []
    else:
        detected = detect(text)
        language = detected.language
        notices = list(detected.notices)
    if language not in languages_with_rules():
        return _unread(text, language, notices)
    rules_language = language
    compiled = _compiled(rules_language)
    rules = compiled.rules
    doc = compiled.nlp(defuse_long_runs(text))
    reading = _Reading(compiled, doc)
    entities = _entities(doc, reading)

    evidence: dict[str, tuple[Evidence, ...]] = {}
    flags = []
    for name in FLAGS:
        key = f"flag:{name}"
        found = reading.evidence(key)
        score = reading.score(key)
        if name == "personal_data":
            personal = [(e.start, e.end) for e in entities if e.personal]
            if personal:
                score += STRONG
                found = _char_evidence(text, _spans(found) + personal)
        if score >= STRONG:
            flags.append(name)
            evidence[name] = found

    # An attack without a complaint (PRODUCT.md rule 6): insults at people that outweigh
    # any problem named, and no other flag. However calm, it goes to PR, not an apology.
    problem = max(reading.score(f"category:{name}") for name in CATEGORIES[:-1])
    if (
        rules.attack_insults is not None
        and not flags
        and reading.score("attack") >= max(rules.attack_at_least, rules.attack_outweighs * problem)
    ):
        flags.append("harassment")
        evidence["harassment"] = reading.evidence("attack")

    shouting = shouting_spans(doc, rules.acronyms, short_words(rules.language))
    runs = punctuation_runs(text)

    address = _address(doc, rules, channel)
    complainer_type, type_reasons = _complainer_type(reading, rules, shouting, runs, flags, address)
    evidence["complainer_type"] = _type_evidence(reading, complainer_type, shouting, runs, text)

    category = _category(reading, flags)
    if category != "other":
        evidence["category"] = reading.evidence(f"category:{category}")

    heat, heat_reasons, evidence["heat"] = _heat(
        reading, rules, shouting, runs, flags, complainer_type
    )
    heat_label = _heat_label(heat, rules)
    reasons = {"complainer_type": type_reasons, "heat": heat_reasons}
    kind = read_kind(text, language)
    if kind is not None:
        evidence["kind"] = tuple(Evidence(text[start:end], start, end) for start, end in kind.words)
        reasons["kind"] = list(kind.reasons)

    # Enough words to explain; a 50,000-character rant does not need 10,000 highlights.
    evidence = {key: items[:MAX_EVIDENCE] for key, items in evidence.items()}
    return Analysis(
        language=language,
        language_supported=True,
        heat=heat,
        heat_label=heat_label,
        complainer_type=complainer_type,
        category=category,
        flags=tuple(flags),
        entities=tuple(entities),
        evidence=evidence,
        reasons=reasons,
        notices=tuple(notices),
        kind=kind,
    )


def _complains(reading: _Reading) -> bool:
    """Whether anything angry or any subject of complaint is said.

    Capitals and "!!!" only raise the voice: over a complaint ("WHERE IS MY ORDER???") they
    are shouting, over nothing ("I LOVE IT!!", "YESSS!") they are excitement. A flag raised
    ("BLUE PLASTIC in my yoghurt") is something complained of too (the callers say so).
    """
    if reading.score("heat") or reading.score("type:aggressive"):
        return True
    return any(reading.score(f"category:{name}") for name in CATEGORIES[:-1])


def _complainer_type(
    reading: _Reading,
    rules: LanguageRules,
    shouting: list[tuple[int, int]],
    runs: list[tuple[int, int]],
    flags: list[str],
    address: str | None,
) -> tuple[str, list[str]]:
    types = rules.types
    if types is None:
        return "constructive", ["No rules for this language."]
    words = reading.score("type:aggressive") + sum(
        types.flag_weights.get(flag, 0.0) for flag in flags
    )
    # The model is asked only when the words alone do not make it aggressive.
    insults = _model_reading(reading, rules, types.model, by_sentence=True)
    words += insults.adds
    typography = types.shouting_weight * len(shouting) + types.exclamation_weight * len(runs)
    if not words and not flags and not _complains(reading):
        typography = 0.0
    aggressive = words + typography
    passive = reading.score("type:passive")
    constructive = reading.score("type:constructive")
    if address == "about":
        passive += types.passive_when_about
    elif address == "to":
        constructive += types.constructive_when_to
    reasons = []
    if shouting:
        reasons.append(f"{len(shouting)} word{'s' if len(shouting) != 1 else ''} in capitals")
    if runs:
        reasons.append(f"{len(runs)} run{'s' if len(runs) != 1 else ''} of !!! or ???")
    if aggressive >= types.aggressive_at:
        words = _words(reading, "type:aggressive")
        if words:
            reasons.append("insults, threats or demands: " + ", ".join(words))
        if insults.words:
            reasons.append("reads as insulting (trained model): " + ", ".join(insults.words))
        if "harassment" in flags:
            reasons.append("reads as an attack")
        return "aggressive", reasons
    if passive >= types.passive_at and passive > constructive:
        words = _words(reading, "type:passive")
        reasons = ["talks about the company to others" + (": " + ", ".join(words) if words else "")]
        if address == "about":
            reasons.append("speaks about the company, never to it")
        return "passive", reasons
    words = _words(reading, "type:constructive")
    if words:
        return "constructive", ["calm and asks for a fix: " + ", ".join(words)]
    return "constructive", ["No shouting, insults or warnings to others."]


#: Channels where the customer writes to the company by definition, or to other readers.
_TO_COMPANY_CHANNELS = frozenset({"dm", "email"})
_ABOUT_COMPANY_CHANNELS = frozenset({"review"})


def _address(doc: Doc, rules: LanguageRules, channel: str | None) -> str | None:
    """Whether the text speaks to the company ("to"), only about it ("about"), or neither.

    A message that opens with an @handle, or arrives by DM or e-mail, is written to the
    company; a review is written to other customers. A public post that never says "you"
    is written for its readers, even when it tags the company along the way ("so kind of
    @brand to..."); without a channel, only such a tag tells.
    """
    types = rules.types
    if types is None:
        return None
    if channel in _TO_COMPANY_CHANNELS:
        return "to"
    words = [token.lower_ for token in doc if not token.is_space]
    if words and words[0].startswith("@") and channel not in _ABOUT_COMPANY_CHANNELS:
        return "to"
    to_company = any(word in types.to_company for word in words)
    about = any(word in types.about_company for word in words)
    tagged = any(word.startswith("@") for word in words[1:])
    if channel in _ABOUT_COMPANY_CHANNELS or (
        not to_company and (about or tagged or channel is not None)
    ):
        return "about"
    if to_company:
        return "to"
    return None


def _words(reading: _Reading, key: str, limit: int = 6) -> list[str]:
    seen = []
    for item in reading.evidence(key):
        word = item.text.lower()
        if word not in seen:
            seen.append(word)
    return [f"“{word}”" for word in seen[:limit]]


def _type_evidence(
    reading: _Reading,
    complainer_type: str,
    shouting: list[tuple[int, int]],
    runs: list[tuple[int, int]],
    text: str,
) -> tuple[Evidence, ...]:
    found = _spans(reading.evidence(f"type:{complainer_type}"))
    if complainer_type == "aggressive":
        found += shouting + runs
    return _char_evidence(text, found)


def _category(reading: _Reading, flags: list[str]) -> str:
    """The best-scoring category; `other` when no issue is named clearly enough.

    Some subjects have no category of their own (LABELS.md): an account takeover or a
    privacy complaint is `other` unless an issue is named with a strong cue ("the app logs
    me out every time"); an attack has nothing to fix, so it takes a strong cue and more
    ("parcel 10 mins late so here's what I think of your drivers...").
    """
    best, best_score = "other", 0.0
    for name in CATEGORIES[:-1]:
        score = reading.score(f"category:{name}")
        if score > best_score:
            best, best_score = name, score
    privacy = reading.score("flag:personal_data") >= STRONG  # said, not just a phone number
    if "harassment" in flags:
        needed = STRONG + WEAK
    elif privacy or "account" in flags:
        needed = STRONG
    else:
        needed = WEAK
    return best if best_score >= needed else "other"


def _heat(
    reading: _Reading,
    rules: LanguageRules,
    shouting: list[tuple[int, int]],
    runs: list[tuple[int, int]],
    flags: list[str],
    complainer_type: str,
) -> tuple[float, list[str], tuple[Evidence, ...]]:
    heat = rules.heat
    if heat is None:
        return 0.0, [], ()
    score = reading.score("heat")
    reasons = []
    words = _words(reading, "heat")
    if words:
        reasons.append("angry words: " + ", ".join(words))
    voice = complainer_type == "aggressive" or bool(flags) or _complains(reading)
    if shouting and voice:
        score += min(heat.shouting_max, heat.shouting_weight * len(shouting))
        reasons.append(f"{len(shouting)} word{'s' if len(shouting) != 1 else ''} in capitals")
    if runs and voice:
        score += min(heat.exclamation_max, heat.exclamation_weight * len(runs))
        reasons.append(f"{len(runs)} run{'s' if len(runs) != 1 else ''} of !!! or ???")
    for flag in flags:
        score += heat.flag_weights.get(flag, 0.0)
    score += heat.type_weights.get(complainer_type, 0.0)
    anger = _model_reading(reading, rules, heat.model)
    if anger.adds:
        score += anger.adds
        if anger.words:
            reasons.append("reads angry (trained model): " + ", ".join(anger.words))
    calming = reading.score("calming")
    if calming:
        score -= calming
        reasons.append("calming words: " + ", ".join(_words(reading, "calming")))
    value = 1.0 - math.exp(-max(0.0, score) / heat.scale)
    raised = shouting + runs if voice else []
    evidence = _char_evidence(
        reading.text, _spans(reading.evidence("heat")) + raised + list(anger.spans)
    )
    return round(min(1.0, value), 3), reasons, evidence


#: A text read whole by a model that is longer than this is explained by its likeliest
#: sentence.
_EXPLAINED_CHARACTERS = 600


@dataclass(frozen=True)
class _ModelReading:
    adds: float = 0.0
    #: The words that weigh most, quoted for a reason, and where they are.
    words: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()


def _model_scores(reading: _Reading, rules: LanguageRules) -> dict[str, tuple]:
    """The rule files' models read the text once, together (its n-grams hashed once): the
    whole text, and each sentence when there are several. name -> (spans, probabilities,
    model); the first span is the whole text. Kept on the reading."""
    if reading.model_scores is not None:
        return reading.model_scores
    inputs = [
        rule.name
        for rule in (
            rules.heat.model if rules.heat else None,
            rules.types.model if rules.types else None,
        )
        if rule is not None
    ]
    models = [m for m in (text_models.find(n, rules.language) for n in inputs) if m is not None]
    text = reading.text
    spans = [(0, len(text))]
    if models:
        sentences = [
            (s.start_char, s.end_char) for s in reading.doc.sents if any(not t.is_space for t in s)
        ]
        if len(sentences) > 1:
            spans += sentences
    names = [model.name for model in models]
    rows = text_models.together(names, rules.language).probabilities([text[s:e] for s, e in spans])
    rows = rows.T  # a row a model
    reading.model_scores = {m.name: (spans, row, m) for m, row in zip(models, rows, strict=True)}
    return reading.model_scores


def _model_reading(
    reading: _Reading, rules: LanguageRules, rule: ModelInput | None, *, by_sentence: bool = False
) -> _ModelReading:
    """What a trained model adds (ModelInput), and the words that weigh most for it; by
    sentence, the sentence it reads as most likely counts (one insult in a long letter).
    The words are looked for in that sentence, or in a long text read whole, in the
    sentence the model reads as most likely: bounded work for a 50,000-character rant."""
    if rule is None or rule.name not in _model_scores(reading, rules):
        return _ModelReading()
    spans, probabilities, model = reading.model_scores[rule.name]
    sentences = range(1, len(spans)) if len(spans) > 1 else range(1)
    best = max(sentences, key=lambda i: probabilities[i]) if by_sentence else 0
    adds = rule.adds(float(probabilities[best]))
    if not adds:
        return _ModelReading()
    start, end = spans[best]
    if end - start > _EXPLAINED_CHARACTERS and len(spans) > 1:
        start, end = spans[max(range(1, len(spans)), key=lambda i: probabilities[i])]
    text = reading.text
    found = [(start + w.start, start + w.end) for w in model.words(text[start:end], alone=True)]
    quoted = []
    for word_start, word_end in found:
        word = f"“{text[word_start:word_end].lower()}”"
        if word not in quoted:
            quoted.append(word)
    return _ModelReading(adds, tuple(quoted), tuple(found))


def _heat_label(heat: float, rules: LanguageRules) -> str:
    if rules.heat is None or heat < rules.heat.medium_at:
        return "low"
    return "high" if heat >= rules.heat.high_at else "medium"
