"""Matching rule cues against a parsed text, for the analysis and the tone checks alike.

A cue (`app.nlp.rules.Entry`) is a phrase matched on lemmas ("sue" finds "SUING"), an exact phrase
matched word for word, or a spaCy Matcher token pattern. `CueMatcher` puts each where it is
cheapest: phrases and word-list patterns in PhraseMatchers, the rest in one Matcher. Also
here: the spans of shouting (capitals that are not acronyms, "!!!", "???").
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from app.nlp.rules import Entry, thaw


class SpanSet:
    """Fixed spans, asked in O(log n) whether one of them holds or overlaps a span.

    Matches come by the thousand on a hostile 50,000-character text; comparing each with
    every shield or every earlier match was quadratic (45 s for "😂" × 50,000).
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        #: The furthest end among the spans up to each one, in order of start.
        self.reach = list(itertools.accumulate((end for _, end in ordered), max))

    def __bool__(self) -> bool:
        return bool(self.starts)

    def contains(self, start: int, end: int) -> bool:
        """Whether some span holds start..end (s <= start and end <= e)."""
        index = bisect_right(self.starts, start)
        return index > 0 and self.reach[index - 1] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some span overlaps start..end (s < end and start < e)."""
        index = bisect_left(self.starts, end)
        return index > 0 and self.reach[index - 1] > start


class DisjointSpans:
    """Spans taken one by one, none overlapping another: which overlaps a new one is a
    look at its neighbour in order of start, O(log n)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        # Of the spans starting before `end`, the last one reaches furthest (disjoint).
        index = bisect_left(self.starts, end)
        return index > 0 and self.ends[index - 1] > start

    def add(self, start: int, end: int) -> None:
        index = bisect_left(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)


#: The token attributes a pattern's words are looked up by (TEXT is ORTH to the Matcher).
_WORD_ATTRS = {"LOWER": LOWER, "LEMMA": LEMMA, "ORTH": ORTH, "TEXT": ORTH}
_AT_LEAST = re.compile(r"\{(\d+)(?:,\d*)?\}")
_HELD_KEY = "composure.held_words"
_HELD_STRINGS_KEY = "composure.held_strings"

#: What one token of a pattern needs a text to hold: under an attribute, one of these
#: words (hashes), or a word this regex finds something in.
Gate = tuple[int, frozenset[int] | re.Pattern]


def _required(token: dict[str, Any]) -> bool:
    """Whether a pattern token must match a token of the text (not "?", "*", "!", "{0,n}")."""
    op = token.get("OP")
    if op is None or op == "+":
        return True
    at_least = _AT_LEAST.fullmatch(op)
    return bool(at_least and int(at_least.group(1)) > 0)


def pattern_gates(pattern: list[dict[str, Any]]) -> list[Gate]:
    """What a text must hold for `pattern` to match in it: for each token the pattern
    cannot skip that names its word ({"LOWER": "sorry"}, an IN list of words, a REGEX), the
    attribute and those words or that regex (as the Matcher tests it: `search` on the
    word). Empty when no token names one (`[{"LIKE_NUM": true}]`)."""
    gates: list[Gate] = []
    for token in pattern:
        if not _required(token):
            continue
        for name, value in token.items():
            attr = _WORD_ATTRS.get(name)
            if attr is None:
                continue
            if isinstance(value, str):
                gates.append((attr, frozenset([get_string_id(value)])))
                continue
            if not isinstance(value, dict):
                continue
            words = value.get("IN")
            if isinstance(words, list) and all(isinstance(word, str) for word in words):
                gates.append((attr, frozenset(get_string_id(word) for word in words)))
            if isinstance(value.get("REGEX"), str):
                gates.append((attr, re.compile(value["REGEX"])))
    return gates


def held_words(doc: Doc) -> dict[int, set[int]]:
    """The hashes of the text's words by attribute (LOWER, LEMMA, ORTH), worked out once
    per Doc and kept with it."""
    held = doc.user_data.get(_HELD_KEY)
    if held is None:
        rows = doc.to_array([LOWER, LEMMA, ORTH]).T.tolist() if len(doc) else [[], [], []]
        held = doc.user_data[_HELD_KEY] = {
            attr: set(row) for attr, row in zip((LOWER, LEMMA, ORTH), rows, strict=True)
        }
    return held


def _held_strings(doc: Doc, attr: int) -> list[str]:
    kept = doc.user_data.setdefault(_HELD_STRINGS_KEY, {})
    if attr not in kept:
        strings = doc.vocab.strings
        kept[attr] = [strings[word] for word in held_words(doc)[attr]]
    return kept[attr]


def _opens(doc: Doc, gate: Gate) -> bool:
    attr, words = gate
    if isinstance(words, frozenset):
        return not held_words(doc)[attr].isdisjoint(words)
    return any(words.search(word) for word in _held_strings(doc, attr))


class PatternGates:
    """Whether any of a Matcher's token patterns can match a text, from the words it holds.

    The Matcher tries every pattern at every token, and each word list or regex costs a
    Python call per token; most texts hold none of the words most patterns need. Each
    pattern is filed under its most telling words (`anchor`): a text is looked up by its
    own words, and a pattern found that way is checked against all its gates. Patterns
    with nothing but regexes are checked on every text, those with no gate always run.
    """

    def __init__(self, common: frozenset[int] = frozenset()) -> None:
        #: Words so common (stop words) that filing a pattern under them tells little.
        self.common = common
        self.always = False
        self.anchored: dict[int, dict[int, list[list[Gate]]]] = {LOWER: {}, LEMMA: {}, ORTH: {}}
        #: The words patterns are filed under, by attribute (a set, to intersect at C speed).
        self.anchors: dict[int, set[int]] = {LOWER: set(), LEMMA: set(), ORTH: set()}
        self.unanchored: list[list[Gate]] = []
        #: One regex per attribute finding what any unanchored pattern's first regex finds,
        #: to pass over them all at once; None where they cannot be joined. Compiled once,
        #: when first needed: recompiling it as each pattern is added cost a rule file with
        #: a few hundred regex patterns seconds at start-up (the joined text grows each time).
        self._unanchored_parts: dict[int, list[str]] | None = {}
        self._unanchored_any: dict[int, re.Pattern] | None = None

    def add(self, pattern: list[dict[str, Any]]) -> None:
        gates = pattern_gates(pattern)
        words = [gate for gate in gates if isinstance(gate[1], frozenset)]
        if not gates:
            self.always = True
        elif not words:
            self.unanchored.append(gates)
            self._join(*gates[0])
        else:
            attr, anchor = min(words, key=self.anchor)
            self.anchors[attr].update(anchor)
            for word in anchor:
                self.anchored[attr].setdefault(word, []).append(gates)

    def _join(self, attr: int, regex: re.Pattern) -> None:
        if self._unanchored_parts is None:
            return
        if regex.flags != re.UNICODE or re.search(r"\\[1-9g]|\(\?P=|\(\?[aiLmsux]", regex.pattern):
            self._unanchored_parts = None  # flags or back-references do not survive joining
            return
        self._unanchored_parts.setdefault(attr, []).append(f"(?:{regex.pattern})")
        self._unanchored_any = None

    @property
    def unanchored_any(self) -> dict[int, re.Pattern] | None:
        if self._unanchored_parts is None:
            return None
        if self._unanchored_any is None:
            self._unanchored_any = {
                attr: re.compile("|".join(parts)) for attr, parts in self._unanchored_parts.items()
            }
        return self._unanchored_any

    def anchor(self, gate: Gate) -> tuple[int, int]:
        """How little a word list tells (lower is better): its common words, then its size."""
        return len(gate[1] & self.common), len(gate[1])

    def open(self, doc: Doc) -> bool:
        if self.always:
            return True
        held = held_words(doc)
        for attr, index in self.anchored.items():
            for word in held[attr] & self.anchors[attr]:
                for gates in index[word]:
                    if all(_opens(doc, gate) for gate in gates):
                        return True
        if not self.unanchored:
            return False
        joined = self.unanchored_any
        if joined is not None and not any(
            _opens(doc, (attr, regex)) for attr, regex in joined.items()
        ):
            return False
        return any(all(_opens(doc, gate) for gate in gates) for gates in self.unanchored)


class CueMatcher:
    """Cues added under labels; calling it on a Doc gives (match id, start, end) tokens.

    Each of its three matchers runs only when the text holds words it needs: the first
    word of one of its phrases, or each word one of its patterns cannot do without
    (`pattern_gates`). A matcher skipped that way would have found nothing, so the matches
    are the same, in the same order; the tone checks, 18 matchers with some 600 patterns
    and 2,600 phrases on every reply, mostly run three or four of them.
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        #: Exact phrases are fixed expressions: matched word for word, any case. So are
        #: patterns that only list words (see `word_sequences`).
        self.exact_phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        #: The first words of the phrases, as lemma and lower-case hashes.
        self._first_lemmas: set[int] = set()
        self._first_lowers: set[int] = set()
        stop_words = nlp.Defaults.stop_words
        self._gates = PatternGates(frozenset(get_string_id(word) for word in stop_words))

    def add(self, label: str, entry: Entry, *, exact: bool = False) -> int:
        """Add one cue under `label`; returns the match id its matches carry."""
        match_id = self.nlp.vocab.strings.add(label)
        if entry.phrase is not None and exact:
            self._add_phrases(self.exact_phrases, label, [self.nlp.make_doc(entry.phrase)])
        elif entry.phrase is not None:
            self._add_phrases(self.phrases, label, [self._lemmatised(entry.phrase)])
        else:
            pattern = thaw(entry.pattern)
            attr, sequences = word_sequences(pattern)
            vocab = self.nlp.vocab
            if attr == "LOWER":
                docs = [Doc(vocab, words=w) for w in sequences]
                self._add_phrases(self.exact_phrases, label, docs)
            elif attr == "LEMMA":
                docs = [Doc(vocab, words=w, lemmas=w) for w in sequences]
                self._add_phrases(self.phrases, label, docs)
            else:
                patterns = split_first_token(pattern)
                self.matcher.add(label, patterns)
                for split in patterns:
                    self._gates.add(split)
        return match_id

    def _add_phrases(self, matcher: PhraseMatcher, label: str, docs: list[Doc]) -> None:
        matcher.add(label, docs)
        first = self._first_lemmas if matcher is self.phrases else self._first_lowers
        attr = "lemma" if matcher is self.phrases else "lower"
        first.update(getattr(doc[0], attr) for doc in docs if len(doc))

    def _lemmatised(self, phrase: str) -> Doc:
        """A phrase as the LEMMA PhraseMatcher needs it: tokens and lemmas, nothing else."""
        return self.nlp.get_pipe("composure_lemmas")(self.nlp.make_doc(phrase))

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        held = held_words(doc)
        found = list(self.matcher(doc)) if len(self.matcher) and self._gates.open(doc) else []
        if len(self.phrases) and not held[LEMMA].isdisjoint(self._first_lemmas):
            found += self.phrases(doc)
        if len(self.exact_phrases) and not held[LOWER].isdisjoint(self._first_lowers):
            found += self.exact_phrases(doc)
        return found


#: A pattern of word lists is matched as phrases up to this many word sequences.
MAX_SEQUENCES = 400


def word_sequences(pattern: list[dict[str, Any]]) -> tuple[str | None, list[list[str]]]:
    """A pattern that is only words on one attribute ("LOWER" or "LEMMA"), with no operator,
    as that attribute and every word sequence it matches; (None, []) for any other pattern.

    The Matcher tries every pattern on every token, and a word list costs it a Python call
    each time; a PhraseMatcher finds the same word sequences for almost nothing.
    """
    attrs = {attr for token in pattern for attr in token}
    if len(attrs) != 1 or not attrs <= {"LOWER", "LEMMA"}:
        return None, []
    attr = attrs.pop()
    options: list[list[str]] = []
    for token in pattern:
        value = token[attr]
        if isinstance(value, str):
            options.append([value])
        elif isinstance(value, dict) and set(value) == {"IN"}:
            options.append([str(word) for word in value["IN"]])
        else:
            return None, []
    if math.prod(len(words) for words in options) > MAX_SEQUENCES:
        return None, []
    return attr, [list(words) for words in itertools.product(*options)]


#: A first token listing this many words or fewer is split into one pattern per word.
MAX_SPLIT = 4


def split_first_token(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The pattern as one pattern per word of its first token's short word list.

    The Matcher tries every pattern's first token on every token: a word is checked at C
    speed, a word list through a Python call. Up to a few words, several patterns with a
    word each cost less than one with the list; they match the same spans for one cue.
    """
    first = pattern[0]
    if "OP" not in first:
        for attr in ("LOWER", "LEMMA", "ORTH"):
            value = first.get(attr)
            if isinstance(value, dict) and set(value) == {"IN"} and len(value["IN"]) <= MAX_SPLIT:
                return [[{**first, attr: str(word)}, *pattern[1:]] for word in value["IN"]]
    return [pattern]


def sentence_index(doc: Doc) -> list[int]:
    """The number of the sentence each token is in."""
    index = [0] * len(doc)
    for number, sentence in enumerate(doc.sents):
        for position in range(sentence.start, sentence.end):
            index[position] = number
    return index


#: "!!", "???", "?!" and longer runs: a raised voice in punctuation.
_RUNS = re.compile(r"[!?]*!{2,}[!?]*|[!?]*\?{2,}[!?]*|[!?]*(?:\?!|!\?)[!?]*")


def punctuation_runs(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _RUNS.finditer(text)]


#: Words before a place code ("at MAN", "from ORD", "@ MIA") and marks joining two codes.
_PLACE_WORDS = frozenset({"at", "from", "to", "via", "into", "@"})
_ROUTE_MARKS = frozenset({"-", "--", "–", "—", "/", ">", "->"})


def _is_capitals(token: Token) -> bool:
    return token.is_alpha and len(token.text) >= 3 and token.text.isupper()


def _in_hashtag(doc: Doc, token: Token) -> bool:
    """A word right after "#" ("#GBBO", "#LIFE") is a tag, not a raised voice."""
    if token.i == 0:
        return False
    before = doc[token.i - 1]
    return before.text == "#" and not before.whitespace_


def _place_code(doc: Doc, token: Token) -> bool:
    """A three-letter word in capitals used as an airport or station code, not shouting.

    It follows a place word not itself in capitals ("the queue at MAN", "from ORD to SLC";
    "COME TO THE STORE" is shouting) or is joined to another code ("LHR-BWI", "LAS - PHL").
    A common word ("to YOU", "at ALL") is never a code.
    """
    if len(token.text) != 3 or not _is_capitals(token) or token.is_stop:
        return False  # "talk to YOU" is shouting
    i = token.i
    if i > 0 and doc[i - 1].lower_ in _PLACE_WORDS and not doc[i - 1].text.isupper():
        return True
    for step in (-1, 1):
        mark, other = i + step, i + 2 * step
        if (
            0 <= other < len(doc)
            and doc[mark].text in _ROUTE_MARKS
            and len(doc[other].text) == 3
            and _is_capitals(doc[other])
        ):
            return True
    return False


#: Marks that join capitals into one raised voice ("NO, WE DID NOT").
_JOINERS = frozenset({",", "'", "’", "-"})


def shouting_spans(
    doc: Doc, acronyms: frozenset[str], short_words: frozenset[str] = frozenset()
) -> list[tuple[int, int]]:
    """Words in capitals that are not acronyms, place codes, references or entities.

    Short words in capitals (`short_words`: "IT", "IS", "WE") count only in a run of
    capitals that holds a longer one: all of "IT IS NOT OUR FAULT" is the raised voice.
    """
    entity_tokens = {index for ent in doc.ents for index in range(ent.start, ent.end)}
    words: list[tuple[int, int]] = []
    run: list[Token] = []
    loud_run = False
    for token in doc:
        text = token.text
        loud = (
            token.i not in entity_tokens
            and _is_capitals(token)
            and text not in acronyms
            and not _place_code(doc, token)
            and not _in_hashtag(doc, token)
        )
        if loud or (text in short_words and token.i not in entity_tokens):
            run.append(token)
            loud_run = loud_run or loud
            continue
        if run and text in _JOINERS:
            continue
        if loud_run:
            words += [(t.idx, t.idx + len(t.text)) for t in run]
        run, loud_run = [], False
    if loud_run:
        words += [(t.idx, t.idx + len(t.text)) for t in run]
    return words


#: A "word" longer than this is no word: spaCy's tokenizer slows down with the square of a
#: token's length, so such runs get a space every LONG_RUN characters (same length, so
#: every span still points at the stored text).
LONG_RUN = 100
_LONG_RUN = re.compile(rf"\S{{{LONG_RUN + 1},}}")


def defuse_long_runs(text: str) -> str:
    def split(match: re.Match) -> str:
        run = list(match.group(0))
        for index in range(LONG_RUN, len(run), LONG_RUN):
            run[index] = " "
        return "".join(run)

    return _LONG_RUN.sub(split, text)
