"""The tone checks: one small function per check, registered in `REGISTRY`.

Each check reads a `Reply` (the text parsed once, its channel, the complaint it answers,
its language's rules) and returns findings at their default severity; the checker applies
the policy. The words a check looks for are data (`rules.py`); adding a rule is editing
a YAML file, adding a check is a function and a line in `REGISTRY`.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from app.channels import ChannelInfo, fit, position_past
from app.core.text import clean_text
from app.ml import model as text_models
from app.nlp import rules as nlp_rules
from app.nlp.matching import (
    CueMatcher,
    DisjointSpans,
    SpanSet,
    defuse_long_runs,
    punctuation_runs,
    sentence_index,
    shouting_spans,
)
from app.placeholders import unfilled_markers
from app.tone import readability, sentiment
from app.tone.catalogue import DEFAULT_SEVERITIES, INFO, PART_CODES, WARN, Finding
from app.tone.fixes import cue_fix, private_data_fix
from app.tone.rules import Cue, Negation, ToneRules, Unless

# --- the input ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """The company's own contact details: never personal data in a reply."""

    phone: str = ""
    email: str = ""

    @cached_property
    def phone_digits(self) -> str:
        return re.sub(r"\D", "", self.phone)


@dataclass(frozen=True)
class ComplaintContext:
    """What the checks need to know about the complaint a reply answers.

    The text is cleaned as the reply is (`clean_text`: no lone surrogates, no control
    characters), wherever the context is built.
    """

    text: str
    language: str
    flags: tuple[str, ...] = ()
    #: The anger cues the complaint uses, as stored with its analysis
    #: (`anger_notes`: {language: {"rules": fingerprint, "cues": [index, ...]}}), so a live
    #: check does not parse a 50,000-character complaint again. None: worked out on use.
    angry: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    #: The analysis's heat ("low", "medium", "high"), when known.
    heat: str | None = None
    #: The complaint answers one of ours: a case already under way, not a first contact.
    follow_up: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_text(self.text))


@dataclass
class Reply:
    """A reply parsed once, with everything the checks may ask about it."""

    text: str
    doc: Doc
    language: str
    rules: ToneRules | None
    channel: ChannelInfo
    compiled: CompiledRules | None
    complaint: ComplaintContext | None = None
    #: The reply's parts as the editor holds them, and where each sits in `text`.
    parts: dict[str, str] | None = None
    part_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    four_parts: bool = True
    contact: Contact = field(default_factory=Contact)
    readability_min: float = 50.0
    negative_at: float = -0.3
    #: Findings of the checks that ran before (negative_tone leaves their words out).
    earlier: list[Finding] = field(default_factory=list)
    #: Filled by the four-part check for the report: part -> where it was found.
    parts_found: dict[str, dict] = field(default_factory=dict)
    readability: readability.Readability | None = None
    sentiment: sentiment.Sentiment | None = None
    #: Each trained model's probability for each sentence, worked out on first use by the
    #: checks with a `model:` (`_model_scores`).
    model_scores: dict[str, np.ndarray] | None = None

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        spans = []
        for sentence in self.doc.sents:
            text = sentence.text
            start = sentence.start_char + (len(text) - len(text.lstrip()))
            end = sentence.end_char - (len(text) - len(text.rstrip()))
            if end > start:
                spans.append((start, end))
        return spans

    @cached_property
    def words(self) -> int:
        return sum(1 for token in self.doc if not (token.is_punct or token.is_space))

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [start for start, _ in self.sentences]

    def sentence_at(self, position: int) -> tuple[int, int]:
        index = bisect_right(self._sentence_starts, position) - 1
        if index >= 0:
            start, end = self.sentences[index]
            if position < end:
                return start, end
        return 0, len(self.text)


# --- compiled rules ------------------------------------------------------------------------


def _negated(doc: Doc, start: int, negation: Negation) -> bool:
    """Whether a negation word reaches the token at `start`: up to `negation.reach` words
    before it in its sentence, with nothing that ends a clause between them."""
    for index in range(start - 1, max(start - negation.reach, 0) - 1, -1):
        if doc[index + 1].is_sent_start:
            return False  # O(1) a step: `Token.sent` walks back to the sentence's start
        word = doc[index].lower_
        if word in negation.ends:
            return False
        if word in negation.words:
            return True
    return False


class CompiledCues:
    """One check's cues and `not` phrases in their own matcher; with a `negation`, cues it
    reaches do not count, nor do cues near one of the `unless` phrases."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        cues: tuple[Cue, ...],
        negative,
        *,
        negation: Negation | None = None,
        unless: Unless | None = None,
    ) -> None:
        unless = unless or Unless()
        self.matcher = CueMatcher(nlp)
        self.cues: dict[int, Cue] = {}
        self.negative_ids: set[int] = set()
        self.unless_ids: set[int] = set()
        self.negation = negation
        self.unless = unless
        for number, cue in enumerate(cues):
            match_id = self.matcher.add(f"tone|{name}|{number}", cue.entry, exact=cue.exact)
            self.cues[match_id] = cue
        for number, entry in enumerate(negative):
            self.negative_ids.add(self.matcher.add(f"tone|{name}|not|{number}", entry, exact=True))
        for number, entry in enumerate(unless.phrases):
            self.unless_ids.add(self.matcher.add(f"tone|{name}|unless|{number}", entry))

    def find(self, doc: Doc) -> list[tuple[int, int, Cue]]:
        """Character spans of cues outside `not` phrases, one per place."""
        found, shields, unless = [], [], []
        for match_id, start, end in self.matcher(doc):
            if match_id in self.negative_ids:
                shields.append((start, end))
            elif match_id in self.unless_ids:
                if self.unless.negation is None or not _negated(doc, start, self.unless.negation):
                    unless.append(start)
            else:
                found.append((match_id, start, end))
        if unless and found:
            sentences = sentence_index(doc)
            unless_reach = self.unless.reach
            near = {
                sentences[start] + step
                for start in unless
                for step in range(-unless_reach, unless_reach + 1)
            }
            found = [match for match in found if sentences[match[1]] not in near]
        if self.negation is not None:
            found = [match for match in found if not _negated(doc, match[1], self.negation)]
        kept: list[tuple[int, int, Cue]] = []
        shielded = SpanSet(shields)
        taken = DisjointSpans()

        # Where cues overlap, one with a suggested rewrite wins, then the longest.
        def preference(match: tuple[int, int, int]) -> tuple:
            return (self.cues[match[0]].suggestion is None, -(match[2] - match[1]), match[1])

        # O(n log n) in the matches: a sort, then two binary searches per match.
        for match_id, start, end in sorted(found, key=preference):
            if shielded.contains(start, end) or taken.overlaps(start, end):
                continue
            taken.add(start, end)
            first, last = doc[start], doc[end - 1]
            kept.append((first.idx, last.idx + len(last.text), self.cues[match_id]))
        return sorted(kept, key=lambda item: item[0])


class CompiledRules:
    """A language's tone rules compiled against its pipeline."""

    def __init__(self, nlp: Language, rules: ToneRules) -> None:
        self.nlp = nlp
        self.rules = rules
        self.wording = {
            code: CompiledCues(
                nlp,
                code,
                check.cues,
                check.negative,
                negation=check.negation,
                unless=check.unless,
            )
            for code, check in rules.wording.items()
        }
        self.parts = {
            part: CompiledCues(nlp, f"part-{part}", spec.cues, spec.negative)
            for part, spec in rules.parts.items()
        }
        self.anger = CompiledCues(nlp, "anger", rules.anger, ())
        self.defeatist = CompiledCues(nlp, "defeatist", rules.defeatist, ())
        self.own_contact = CompiledCues(
            nlp,
            "own-contact",
            tuple(Cue(entry, True, None, None) for entry in rules.own_contact),
            (),
        )
        self.agent_contact = CompiledCues(
            nlp,
            "agent-contact",
            tuple(Cue(entry, True, None, None) for entry in rules.agent_contact),
            (),
        )
        self.requests = CompiledCues(
            nlp, "requests", rules.requests, (), unless=rules.requests_unless
        )
        self.acronyms = rules.acronyms | nlp_rules.acronyms(rules.language)
        #: Which of rules.anger a cue is, and a fingerprint of that list: stored anger
        #: cues count only while the rules they were read with are the rules in force.
        self.anger_index = {id(cue): index for index, cue in enumerate(rules.anger)}
        self.anger_fingerprint = hashlib.sha256(
            repr([(c.entry.phrase, c.entry.pattern, c.exact) for c in rules.anger]).encode()
        ).hexdigest()[:16]
        self._angry_words: OrderedDict[bytes, frozenset[int]] = OrderedDict()
        self._lock = threading.Lock()

    def angry_words(self, complaint: str) -> frozenset[int]:
        """The anger cues (their indexes in rules.anger) the complaint uses.

        Stored with the complaint at analysis (`anger_notes`); this parse is for
        complaints analysed before that, or with other rules. Kept in a small LRU keyed on
        the text's hash: the editor checks one complaint's replies often.
        """
        key = hashlib.sha256(complaint.encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            cached = self._angry_words.get(key)
            if cached is not None:
                self._angry_words.move_to_end(key)
                return cached
        doc = self.nlp(defuse_long_runs(clean_text(complaint)))
        cached = frozenset(self.anger_index[id(cue)] for _, _, cue in self.anger.find(doc))
        with self._lock:
            self._angry_words[key] = cached
            while len(self._angry_words) > ANGRY_WORDS_CACHED:
                self._angry_words.popitem(last=False)
        return cached

    def complaint_anger(self, complaint: ComplaintContext) -> frozenset[int]:
        """The complaint's anger cues: as stored, when stored with these rules."""
        stored = (complaint.angry or {}).get(self.rules.language)
        if isinstance(stored, dict) and stored.get("rules") == self.anger_fingerprint:
            return frozenset(int(index) for index in stored.get("cues", ()))
        return self.angry_words(complaint.text)


#: Complaints whose anger cues a process keeps (only complaints analysed without them).
ANGRY_WORDS_CACHED = 256


# --- helpers -------------------------------------------------------------------------------


def _cue_finding(
    reply: Reply, code: str, message: str, start: int, end: int, cue: Cue, otherwise=None
) -> Finding:
    fix = cue_fix(reply, start, end, cue, otherwise)
    return Finding(
        code=code,
        severity=DEFAULT_SEVERITIES[code],
        start=start,
        end=end,
        message=cue.message or message,
        suggestion=fix.suggestion if fix else None,
        replace_start=fix.start if fix else None,
        replace_end=fix.end if fix else None,
        details=fix.details if fix else {},
    )


# --- the checks ----------------------------------------------------------------------------


def wording_check(code: str) -> Callable[[Reply], list[Finding]]:
    def check(reply: Reply) -> list[Finding]:
        if reply.compiled is None or code not in reply.compiled.wording:
            return []
        rules = reply.rules.wording[code]
        findings = [
            _cue_finding(reply, code, rules.message, start, end, cue, rules.otherwise)
            for start, end, cue in reply.compiled.wording[code].find(reply.doc)
        ]
        if rules.model is None:
            return findings
        return sorted(findings + _model_findings(reply, code, findings), key=_by_start)

    check.__name__ = code
    check.__doc__ = (
        f"The `{code}` cues of wording.yaml, and each sentence its trained model (app/ml), "
        "if it has one, scores over the rule's threshold."
    )
    return check


def _by_start(finding: Finding) -> int:
    return finding.start


#: Sentences a check explains word by word (each costs a scoring per word); a text with
#: more flagged sentences than that has the rest marked without their words.
EXPLAINED_SENTENCES = 20


def _model_scores(reply: Reply) -> dict[str, np.ndarray]:
    """Each model the language's rules name -> its probability for each sentence of the
    reply. Worked out once a reply, for all the checks: models with the same features
    share one featurising of each sentence (`text_models.Models`)."""
    if reply.model_scores is None:
        names = sorted({check.model.name for check in reply.rules.wording.values() if check.model})
        present = [name for name in names if text_models.find(name, reply.language)]
        texts = [reply.text[start:end] for start, end in reply.sentences]
        scores = text_models.together(present, reply.language).probabilities(texts)
        reply.model_scores = {name: scores[:, index] for index, name in enumerate(present)}
    return reply.model_scores


def _model_findings(reply: Reply, code: str, found: list[Finding]) -> list[Finding]:
    """The sentences the check's model scores at or over its threshold and no cue of the
    check already marks: each finding points at its sentence, names the words that weigh
    most towards the model's label and says why in the rule's words."""
    rule = reply.rules.wording[code].model
    if not reply.sentences:
        return []
    probabilities = _model_scores(reply).get(rule.name)
    if probabilities is None:
        return []
    model = text_models.load(rule.name, reply.language)
    flagged = SpanSet([(f.start, f.end) for f in found])
    findings = []
    for (start, end), probability in zip(reply.sentences, probabilities, strict=True):
        if probability < rule.threshold or flagged.overlaps(start, end):
            continue
        words = []
        if len(findings) < EXPLAINED_SENTENCES:
            text = reply.text[start:end]
            words = [text[word.start : word.end] for word in model.words(text)]
        quoted = ", ".join(f"“{word}”" for word in words)
        findings.append(
            Finding(
                code,
                DEFAULT_SEVERITIES[code],
                start,
                end,
                f"{rule.message} The words that weigh most: {quoted}." if words else rule.message,
                details={
                    "model": rule.name,
                    "probability": round(float(probability), 2),
                    "words": words,
                },
            )
        )
    return findings


def placeholders(reply: Reply) -> list[Finding]:
    """Gaps left in the text: `[[order number]]` would go out as it is."""
    return [
        Finding(
            "unfilled_placeholder",
            DEFAULT_SEVERITIES["unfilled_placeholder"],
            start,
            end,
            f"Fill in “{label}” before this goes out.",
        )
        for start, end, label in unfilled_markers(reply.text)
    ]


_SIGN_OFF = re.compile(r"[\^*~/–—-]\s?$")


def _signature(text: str, start: int, end: int) -> bool:
    """An agent's initials signing the reply ("… ^HCK", "*AFC", "-TAC"): not shouting."""
    if end - start > 4 or text[end:].strip(" .!)\n"):
        return False
    return bool(_SIGN_OFF.search(text[max(0, start - 2) : start]))


#: "I" and its contractions keep their capital when a shouted run is lowered.
_KEEPS_CAPITAL = re.compile(r"\bi\b(?=$|[\s'’])")


def shouting(reply: Reply) -> list[Finding]:
    """Words in capitals that are not acronyms, and "!!!" / "???" runs."""
    if reply.rules is None:
        return []
    spans = [
        span
        for span in shouting_spans(
            reply.doc, reply.compiled.acronyms, nlp_rules.short_words(reply.language)
        )
        if not _signature(reply.text, *span)
    ]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        # Capital words in a row are one raised voice: "WE DID SEND IT".
        if merged and not reply.text[merged[-1][1] : start].strip(" ,'’-"):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    suggestions = []
    for start, end in merged:
        lowered = _KEEPS_CAPITAL.sub(lambda m: m.group().upper(), reply.text[start:end].lower())
        if start == reply.sentence_at(start)[0]:
            lowered = lowered[:1].upper() + lowered[1:]
        suggestions.append((start, end, lowered))
    for start, end in punctuation_runs(reply.text):
        suggestions.append((start, end, "?" if "?" in reply.text[start:end] else "!"))
    return [
        Finding(
            "shouting",
            DEFAULT_SEVERITIES["shouting"],
            start,
            end,
            reply.rules.shouting_message,
            suggestion=suggestion,
        )
        for start, end, suggestion in suggestions
    ]


def _site(host: str) -> str:
    """The part of a host name a company owns: "help.northwind.example" -> "northwind.example",
    "shop.northwind.co.uk" -> "northwind.co.uk" (a two-letter country under co/com/org/...)."""
    labels = host.lower().strip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "ltd", "plc"})
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]{0,20}://)?(?:www\.)?([^/\s:?#]{1,253})", re.IGNORECASE)


def _own_sites(reply: Reply) -> set[str]:
    """The sites the reply speaks from: the configured e-mail's, the reply's links', and
    those of the role mailboxes it gives ("care@…"). A person's address there is a
    colleague's, not the customer's."""
    sites = set()
    if "@" in reply.contact.email:
        sites.add(_site(reply.contact.email.rsplit("@", 1)[1]))
    for ent in reply.doc.ents:
        if ent.label_ == "url":
            host = _HOST.match(ent.text)
            if host and "@" not in host.group(1):
                sites.add(_site(host.group(1)))
        elif ent.label_ == "email" and _role_mailbox(reply, ent.text):
            sites.add(_site(ent.text.rsplit("@", 1)[1]))
    return sites


def _role_mailbox(reply: Reply, email: str) -> bool:
    local = email.rsplit("@", 1)[0].lower()
    return re.sub(r"[._-]", "", local) in reply.rules.role_mailboxes


def _signature_start(reply: Reply) -> int:
    """Where the reply's signature starts (its end when it has none): the short lines
    after its last full sentence ("Jo, Customer Care" / "jo@northwind.example")."""
    rules = reply.rules
    text = reply.text.rstrip()
    lines = text.split("\n")
    offsets = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    start, taken = len(reply.text), 0
    for index in range(len(lines) - 1, 0, -1):  # the first line is never a signature
        line = lines[index].strip()
        if not line:
            continue
        if (
            taken == rules.signature_lines
            or len(line.split()) > rules.signature_words
            or line[-1] in ".!?:;"
        ):
            break
        taken += 1
        start = offsets[index]
    return start if text[:start].strip() else len(reply.text)


def _right_after(ends: list[int], text: str, start: int) -> bool:
    """Whether one of the phrases ending at `ends` comes right before `start`."""
    return any(
        not text[end_of:start].strip(" :-,")
        for end_of in ends[bisect_left(ends, start - 3) : bisect_right(ends, start)]
    )


def private_data(reply: Reply) -> list[Finding]:
    """The customer's e-mail, phone, address or account, card, order or claim number in a
    public reply, and a public request for them ("reply here with your card number").

    Who is speaking decides whose a detail is: the company's own contact details (as
    configured, right after "call us on", a role mailbox like care@, an address at the
    company's own site, or in the reply's signature) are nobody's personal data. The
    agent's own number ("call me on my mobile …") is not the customer's either; giving
    it out in public is a milder finding of its own (`private_topic`, a warning)."""
    if not reply.channel.is_public:
        return []
    kinds = reply.rules.private_kinds if reply.rules else dict.fromkeys(_PRIVATE_KINDS, "")
    message = reply.rules.private_message if reply.rules else _DEFAULT_PRIVATE_MESSAGE
    introduced: list[int] = []
    agent: list[int] = []
    sites: set[str] = set()
    signature = len(reply.text)
    if reply.compiled is not None:
        introduced = sorted(end for _, end, _ in reply.compiled.own_contact.find(reply.doc))
        agent = sorted(end for _, end, _ in reply.compiled.agent_contact.find(reply.doc))
        sites = _own_sites(reply)
        signature = _signature_start(reply)
    findings = []
    for ent in reply.doc.ents:
        kind = ent.label_
        if kind not in kinds:
            continue
        start, end = ent.start_char, ent.end_char
        value = ent.text
        digits = re.sub(r"\D", "", value)
        if kind == "phone" and digits and digits == reply.contact.phone_digits:
            continue
        if kind == "phone" and reply.rules and reply.rules.business_numbers.match(digits):
            continue
        if kind == "email" and value.lower() == reply.contact.email.lower():
            continue
        if (
            kind == "email"
            and reply.rules
            and "@" in value
            and (_role_mailbox(reply, value) or _site(value.rsplit("@", 1)[1]) in sites)
        ):
            continue
        if kind in ("phone", "email") and (
            _right_after(introduced, reply.text, start) or start >= signature
        ):
            continue
        if kind == "email" and _right_after(agent, reply.text, start):
            continue  # the agent's work address ("e-mail me at …")
        if kind == "phone" and _right_after(agent, reply.text, start):
            findings.append(
                Finding(
                    "private_topic",
                    DEFAULT_SEVERITIES["private_topic"],
                    start,
                    end,
                    reply.rules.agent_message,
                    details={"kind": kind},
                )
            )
            continue
        # Without a language's words, no fix: a placeholder ("[removed]") is no English.
        fix = private_data_fix(reply, start, end, kind, kinds[kind]) if reply.rules else None
        findings.append(
            Finding(
                "private_data",
                DEFAULT_SEVERITIES["private_data"],
                start,
                end,
                message,
                suggestion=fix.suggestion if fix else None,
                replace_start=fix.start if fix else None,
                replace_end=fix.end if fix else None,
                details={"kind": kind},
            )
        )
    if reply.compiled is not None:
        findings += [
            Finding(
                "private_data",
                DEFAULT_SEVERITIES["private_data"],
                start,
                end,
                cue.message or reply.rules.request_message,
                details={"kind": "request"},
            )
            for start, end, cue in reply.compiled.requests.find(reply.doc)
        ]
    return findings


_PRIVATE_KINDS = (
    "email",
    "phone",
    "address",
    "card",
    "national_id",
    "account_ref",
    "order_ref",
    "claim_ref",
)
_DEFAULT_PRIVATE_MESSAGE = "Personal data in a public reply. Move it to a private message."


def private_topic(reply: Reply) -> list[Finding]:
    """Money, account, health or personnel details discussed in public."""
    if not reply.channel.is_public:
        return []
    return _private_topic_cues(reply)


_private_topic_cues = wording_check("private_topic")


def mirrors_anger(reply: Reply) -> list[Finding]:
    """The customer's angry words said back to them."""
    if reply.compiled is None or reply.complaint is None or not reply.complaint.text.strip():
        return []
    compiled = reply.compiled
    angry = compiled.complaint_anger(reply.complaint)
    if not angry:
        return []
    return [
        Finding(
            "mirrors_anger",
            DEFAULT_SEVERITIES["mirrors_anger"],
            start,
            end,
            reply.rules.anger_message,
            details={"customer_said": reply.text[start:end]},
        )
        for start, end, cue in compiled.anger.find(reply.doc)
        if compiled.anger_index[id(cue)] in angry
    ]


def parts_expected(reply: Reply) -> bool:
    """Whether the reply must have all four parts: a first public answer to an angry
    complaint must; a private message, a follow-up in a case under way or an answer to a
    calm message need not (its checklist still shows what it leaves out). With no
    complaint to go by, it must."""
    if not reply.channel.is_public:
        return False
    complaint = reply.complaint
    if complaint is None or not complaint.text.strip():
        return True
    if complaint.follow_up:
        return False
    if complaint.heat == "high":
        return True
    return bool(reply.compiled.complaint_anger(complaint))


def _boxes(reply: Reply) -> dict[str, tuple[int, int]] | None:
    """The parts' own boxes, when the reply was written in more than one; None when it is
    one text (then whatever words do a part's job show it)."""
    filled = {part: span for part, span in reply.part_spans.items() if span[1] > span[0]}
    return filled if len(filled) > 1 else None


def four_parts(reply: Reply) -> list[Finding]:
    """Validate, take responsibility, give direction, close the loop: each missing part is
    a finding (a warning where the parts are expected, `parts_expected`; a note in the
    checklist otherwise); what was found is kept for the editor's checklist. Written in
    boxes, a part is shown only by words in its own box: an empty box is never ticked."""
    if reply.compiled is None or not reply.four_parts:
        return []
    findings = []
    expected = parts_expected(reply)
    boxes = _boxes(reply)
    entity_spans = [(ent.label_, ent.start_char, ent.end_char) for ent in reply.doc.ents]
    for part, code in PART_CODES.items():
        spec = reply.rules.parts[part]
        found = reply.compiled.parts[part].find(reply.doc)
        spans = [(start, end) for start, end, _ in found]
        spans += [(start, end) for kind, start, end in entity_spans if kind in spec.entities]
        slot = reply.part_spans.get(part)
        if boxes is not None:
            box = boxes.get(part)
            spans = [span for span in spans if box and box[0] <= span[0] < box[1]]
        if spans:
            start, end = min(spans)
            reply.parts_found[part] = {
                "present": True,
                "start": start,
                "end": end,
                "evidence": reply.text[start:end],
                "expected": expected,
            }
            continue
        start, end = slot if slot else (len(reply.text), len(reply.text))
        reply.parts_found[part] = {
            "present": False,
            "start": start,
            "end": end,
            "evidence": "",
            "expected": expected,
        }
        findings.append(
            Finding(
                code,
                DEFAULT_SEVERITIES[code],
                start,
                end,
                spec.message,
                details={"expected": expected},
            )
        )
    return findings


def too_long(reply: Reply) -> list[Finding]:
    """Longer than the channel allows; where it has threads, the split is offered."""
    channel = reply.channel
    room = fit(reply.text, channel)
    if room.fits:
        return []
    start = position_past(reply.text, channel)
    while start > 0 and not reply.text[start - 1].isspace():
        start -= 1  # from the start of the word that no longer fits
    details: dict = {"length": room.length, "limit": room.limit}
    if room.thread:
        details["thread"] = room.thread
        message = (
            f"{room.over:,} characters over the {room.limit:,} a post allows. Shorten it, "
            f"or post it as a thread of {len(room.thread)}."
        )
    else:
        message = f"{room.over:,} characters over the {room.limit:,} this channel allows."
    severity = DEFAULT_SEVERITIES["too_long"]
    return [Finding("too_long", severity, start, len(reply.text), message, details=details)]


def hard_to_read(reply: Reply) -> list[Finding]:
    """Reading ease below the policy's minimum, in the reply's language (moved by the
    language's `ease_offset`: each language's Flesch scores are on their own scale)."""
    if reply.rules is None:
        return []
    minimum = reply.readability_min + reply.rules.readability_offset
    reply.readability = readability.measure(
        reply.text,
        reply.language,
        words=reply.words,
        sentences=len(reply.sentences),
        minimum=minimum,
        min_words=reply.rules.readability_min_words,
        formula=reply.rules.readability_formula,
        maximum=reply.rules.readability_maximum,
    )
    if not reply.readability.too_hard:
        return []
    longest = max(reply.sentences, key=lambda span: len(reply.text[span[0] : span[1]].split()))
    words = len(reply.text[longest[0] : longest[1]].split())
    message = (
        f"{reply.rules.readability_message} {reply.readability.method_name} "
        f"{reply.readability.score:.0f}; {reply.readability.aim}."
    )
    if words >= reply.rules.long_sentence_words:
        message += f" This sentence has {words} words: split it."
    else:
        longest = (reply.sentences[0][0], reply.sentences[-1][1])
    return [
        Finding(
            "hard_to_read",
            DEFAULT_SEVERITIES["hard_to_read"],
            longest[0],
            longest[1],
            message,
            details={"score": round(reply.readability.score, 1)},
        )
    ]


#: Words another check already flagged are left out of the sentiment: an insult repeated
#: is `hostile` or `mirrors_anger`, "no one else has complained" is `argumentative`; each
#: is explained once, not again as a gloomy reply.
_ALREADY_SAID = frozenset(
    {
        "hostile",
        "mirrors_anger",
        "sarcasm",
        "blame",
        "argumentative",
        "dismissive",
        "legal_risk",
        "non_apology",
    }
)


def negative_tone(reply: Reply) -> list[Finding]:
    """The reply as a whole reads negative: enough of it, by length, is in sentences whose
    sentiment (VADER, care words neutral, defeatist phrases counted) is at or below the
    policy's line. VADER's lexicon is English: a language whose context.yaml says
    `lexicon: own` is read by the words it scores (`care_words`) and its defeatist phrases
    alone; with no lexicon the check does not run.
    """
    if reply.rules is None or reply.rules.lexicon is None or not reply.sentences:
        return []
    text = list(reply.text)
    said = [(f.start, f.end) for f in reply.earlier if f.code in _ALREADY_SAID]
    for start, end in said:
        text[start:end] = " " * (end - start)
    already = SpanSet(said)
    nudges = [
        (start, -reply.rules.defeatist_weight)
        for start, end, _ in reply.compiled.defeatist.find(reply.doc)
        if not already.overlaps(start, end)
    ]
    reply.sentiment = sentiment.score(
        "".join(text),
        reply.sentences,
        reply.rules.care_words,
        nudges,
        line=reply.negative_at,
        own_lexicon=reply.rules.lexicon == "own",
    )
    if reply.sentiment.negative_share < reply.rules.negative_share:
        return []
    start, end, _ = reply.sentiment.worst
    return [
        Finding(
            "negative_tone",
            DEFAULT_SEVERITIES["negative_tone"],
            start,
            end,
            f"{reply.rules.negative_message} (The most negative sentence is marked.)",
            details={
                "compound": reply.sentiment.compound,
                "negative_share": reply.sentiment.negative_share,
            },
        )
    ]


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[Reply], list[Finding]]
    #: The codes it can report.
    codes: tuple[str, ...]


#: Every check, in the order they run. Adding a check: a function above and a line here.
REGISTRY: tuple[Check, ...] = (
    Check("unfilled_placeholder", placeholders, ("unfilled_placeholder",)),
    *(
        Check(code, wording_check(code), (code,))
        for code in (
            "hostile",
            "blame",
            "non_apology",
            "dismissive",
            "argumentative",
            "sarcasm",
            "overpromise",
            "legal_risk",
        )
    ),
    Check("shouting", shouting, ("shouting",)),
    Check("private_data", private_data, ("private_data", "private_topic")),
    Check("private_topic", private_topic, ("private_topic",)),
    Check("mirrors_anger", mirrors_anger, ("mirrors_anger",)),
    Check("four_parts", four_parts, tuple(PART_CODES.values())),
    Check("too_long", too_long, ("too_long",)),
    Check("hard_to_read", hard_to_read, ("hard_to_read",)),
    Check("negative_tone", negative_tone, ("negative_tone",)),
)

#: Thread splits make a long X post a warning, whatever the policy says for too_long.
THREADED_MAX_SEVERITY = WARN
#: A part the reply is not expected to have (`parts_expected`) is a note, not a warning.
UNEXPECTED_PART_MAX_SEVERITY = INFO
