"""The linear-time probe: a regex in a rule file must not freeze the server on any input.

Python's `re` backtracks, and holds the GIL while it does: one pattern that is quadratic
on a long run of spaces (`\\s*[:#]?\\s*`) stopped every request of the process for minutes.
`probe()` builds adversarial inputs from the pattern's own pieces (long runs of what its
quantifiers and classes accept, alone, after each literal word of the pattern, and
repeated with the word so that every position is a new start) and times a full scan of
each (`finditer`, as the app uses it). A pattern fails when a scan of `SIZE` characters
takes longer than `LIMIT` seconds of CPU (the scanning thread's own time, so a busy machine does
not fail a linear pattern).

The rule loaders call `check_linear()`: a pattern that fails is a DataFileError with
file:line. To keep that cheap at start-up and safe against a pattern that would take
minutes, every input is first tried at `SMALL` characters with the limit scaled down
(a quadratic pattern shows itself there in milliseconds); only then at full size.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.core.datafile import DataFileError

_parser = re._parser  # the stdlib's own parser: the pieces of a pattern, as `re` sees them

#: Characters longer than a complaint or a reply may be (MAX_COMPLAINT_CHARS, MAX_CHARS).
SIZE = 50_000
#: Seconds one scan of SIZE characters may take; a linear pattern takes milliseconds.
LIMIT = 0.5
#: The very first round: nested quantifiers (`(a+)+$`) take exponential time, and a
#: couple of dozen characters already show it (2^24 steps: seconds).
TINY = 24
#: The second, cheap round: a quadratic pattern already takes far more than its share here.
SMALL = 2_000
#: ... where a scan may take this long: the quadratic card pattern took 3.7 s there; a
#: pattern under it is at worst 625 times slower at SIZE (31 s, once, before it is refused).
SMALL_LIMIT = 0.05
#: A character that ends each run: no run of the pattern's own characters continues.
END = "\x00"
#: Characters tried, in order of preference, as representatives of a pattern's classes.
_CANDIDATES = " a1A-.\n#:*xX_@/+,'!?😂\t•("
#: Most representatives per class, characters per pattern and literal words per pattern.
_PER_CLASS, _MAX_CHARS, _MAX_WORDS = 4, 10, 32

_REPEATS = {_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT}


@dataclass(frozen=True)
class ProbeResult:
    seconds: float
    #: The worst input, described for a person: "'card' + 50,000 × ' '".
    worst: str
    size: int
    inputs: int

    @property
    def linear(self) -> bool:
        return self.seconds <= _limit(self.size)


def _limit(size: int) -> float:
    """The seconds a scan of `size` characters may take: LIMIT scaled to the size, but
    never below SMALL_LIMIT (a few milliseconds are noise, not a verdict)."""
    return max(LIMIT * size / SIZE, SMALL_LIMIT)


def _category(category, char: str) -> bool:
    name = str(category)
    if "DIGIT" in name:
        found = char.isdecimal()
    elif "SPACE" in name:
        found = char.isspace()
    elif "WORD" in name:
        found = char.isalnum() or char == "_"
    elif "LINEBREAK" in name:
        found = char == "\n"
    else:
        return False
    return not found if "NOT" in name else found


def _same(code: int, char: str, ignore_case: bool) -> bool:
    other = chr(code)
    return other == char or (ignore_case and other.lower() == char.lower())


def _accepts(op, av, char: str, ignore_case: bool) -> bool:
    """Whether a one-character node of a parsed pattern accepts `char`."""
    if op is _parser.LITERAL:
        return _same(av, char, ignore_case)
    if op is _parser.NOT_LITERAL:
        return not _same(av, char, ignore_case)
    if op is _parser.ANY:
        return char != "\n"
    if op is _parser.CATEGORY:
        return _category(av, char)
    if op is _parser.RANGE:
        low, high = av
        codes = {ord(char), ord(char.lower()), ord(char.upper())} if ignore_case else {ord(char)}
        return any(low <= code <= high for code in codes)
    if op is _parser.IN:
        negate = bool(av) and av[0][0] is _parser.NEGATE
        items = av[1:] if negate else av
        found = any(_accepts(item_op, item_av, char, ignore_case) for item_op, item_av in items)
        return found != negate
    return False


@dataclass
class _Pieces:
    words: list[str]
    chars: list[str]


def _walk(subpattern, pieces: _Pieces, ignore_case: bool, alternatives: int = 99) -> None:
    literal = ""
    for op, av in subpattern:
        if op is _parser.LITERAL:
            literal += chr(av)
            continue
        if len(literal) >= 2:
            pieces.words.append(literal)
        literal = ""
        if op in (_parser.IN, _parser.CATEGORY, _parser.ANY, _parser.NOT_LITERAL):
            taken = [c for c in _CANDIDATES if _accepts(op, av, c, ignore_case)]
            pieces.chars.extend(taken[:_PER_CLASS])
        elif op in _REPEATS:
            inner = av[2]
            for inner_op, inner_av in inner:
                if inner_op is _parser.LITERAL:
                    pieces.chars.append(chr(inner_av))
            _walk(inner, pieces, ignore_case)
        elif op is _parser.BRANCH:
            # Alternatives lead to the same place: the first few words of each do.
            for branch in av[1][:3]:
                _walk(branch, pieces, ignore_case)
        elif op is _parser.SUBPATTERN:
            _walk(av[-1], pieces, ignore_case)
        elif op in (_parser.ASSERT, _parser.ASSERT_NOT):
            _walk(av[1], pieces, ignore_case)
        elif op is _parser.ATOMIC_GROUP:
            _walk(av, pieces, ignore_case)
        elif op is _parser.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    _walk(branch, pieces, ignore_case)
    if len(literal) >= 2:
        pieces.words.append(literal)


def pieces(regex: re.Pattern) -> _Pieces:
    """The literal words and representative characters of a pattern."""
    ignore_case = bool(regex.flags & re.IGNORECASE)
    found = _Pieces([], [])
    _walk(_parser.parse(regex.pattern, regex.flags), found, ignore_case)
    words = list(dict.fromkeys(word for word in found.words if word.strip()))
    # Words in a row ("a/c" then "ending"): a pattern may only backtrack after both.
    words += [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]
    words = words[:_MAX_WORDS]
    chars = list(dict.fromkeys([" ", *found.chars, "a", "1"]))[:_MAX_CHARS]
    return _Pieces(words, chars)


def adversarial_inputs(
    regex: re.Pattern, size: int = SIZE, *, quick: bool = False
) -> list[tuple[str, str]]:
    """(description, text) pairs of about `size` characters built from the pattern: a long
    run of each of its characters, the same after each of its words, and (unless `quick`)
    each word with each character repeated, and each word repeated, so that every
    position starts a new attempt."""
    found = pieces(regex)
    inputs = []
    for char in found.chars:
        inputs.append((f"{size:,} × {char!r}", char * size + END))
    for word in found.words:
        for char in found.chars:
            run = char * (size - len(word))
            inputs.append((f"{word!r} + {len(run):,} × {char!r}", word + run + END))
    if quick:
        return inputs
    for word in found.words:
        inputs.append((f"{word!r} × {size // len(word):,}", word * (size // len(word)) + END))
        for char in found.chars:
            unit = word + char
            count = size // len(unit)
            inputs.append((f"({unit!r}) × {count:,}", unit * count + END))
    return inputs


class _Stopped(Exception):
    """A scan stopped at its deadline."""


def _stop(_signum, _frame) -> None:
    raise _Stopped


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Stop a scan after `seconds` (the `re` engine checks for signals as it backtracks).

    Only the main thread receives signals; elsewhere the scan runs to its end, and the
    TINY and SMALL rounds are what keep a nested quantifier from taking for ever.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _stop)
    started = time.monotonic()
    pending, interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if pending:  # someone else's timer was running: give it back what is left
            left = pending - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), interval)


def _scan(regex: re.Pattern, text: str, limit: float) -> float:
    """CPU seconds this thread spends scanning `text` (at most a few times `limit`: a scan
    is stopped there). CPU time, not the clock on the wall: on a busy machine a linear
    scan waits for a core, and the wait is not the pattern's. A scan over `limit` is timed
    twice more and the fastest kept; one stopped at the wall-clock deadline having used
    little CPU was only waiting, and is tried again."""
    best = float("inf")
    waited = 0.0
    ceiling = max(4 * limit, 1.0)
    for _ in range(3):
        started = time.thread_time()
        try:
            with _deadline(ceiling):
                for _ in regex.finditer(text):
                    pass
        except _Stopped:
            spent = time.thread_time() - started
            if spent > limit:
                return spent
            waited = max(waited, spent)
            continue
        best = min(best, time.thread_time() - started)
        if best <= limit or best > 4 * limit:  # clearly within or clearly over
            break
    return best if best != float("inf") else waited


def _worst(regex: re.Pattern, size: int, quick: bool, first_failure: bool) -> ProbeResult:
    worst = ProbeResult(0.0, "", size, 0)
    inputs = adversarial_inputs(regex, size, quick=quick)
    for description, text in inputs:
        seconds = _scan(regex, text, _limit(size))
        if seconds > worst.seconds:
            worst = ProbeResult(seconds, description, size, len(inputs))
            if first_failure and not worst.linear:
                break
    return worst


def probe(
    regex: re.Pattern, size: int = SIZE, *, quick: bool = False, first_failure: bool = True
) -> ProbeResult:
    """The slowest scan of the pattern's adversarial inputs.

    Inputs are tried at TINY, then SMALL characters first; a pattern already over its
    limit there is reported at that size (it could take minutes, or for ever, at full
    size), else every input is scanned at `size` characters. With `first_failure`, it
    stops at the first input over the limit (enough to refuse the pattern).
    """
    worst = ProbeResult(0.0, "", size, 0)
    for step in (TINY, SMALL, size):
        worst = _worst(regex, min(step, size), quick, first_failure)
        if not worst.linear or step >= size:
            break
    return worst


def needs_probe(regex: re.Pattern) -> bool:
    """Whether a pattern can backtrack over long input: an unbounded (or very large)
    quantifier anywhere in it, every alternative and look-around included. Patterns of
    bounded pieces only are linear by construction."""
    return _unbounded(_parser.parse(regex.pattern, regex.flags))


def _unbounded(subpattern) -> bool:
    for op, av in subpattern:
        if op in _REPEATS and (av[1] is _parser.MAXREPEAT or av[1] > 1_000):
            return True
        if any(_unbounded(inner) for inner in _inside(op, av)):
            return True
    return False


def _inside(op, av) -> list:
    """The sub-patterns of one piece of a parsed pattern: all of them, every alternative."""
    if op in _REPEATS:
        return [av[2]]
    if op is _parser.BRANCH:
        return list(av[1])
    if op is _parser.SUBPATTERN:
        return [av[-1]]
    if op in (_parser.ASSERT, _parser.ASSERT_NOT):
        return [av[1]]
    if op is _parser.ATOMIC_GROUP:
        return [av]
    if op is _parser.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    return []


@cache
def _verdict(pattern: str, flags: int) -> ProbeResult | None:
    regex = re.compile(pattern, flags)
    if not needs_probe(regex):
        return None
    return probe(regex, SMALL, quick=True)


def check_linear(regex: re.Pattern, path: Path | str, line: int | None) -> None:
    """Refuse a pattern that fails the probe at load time, naming the file and line.

    What start-up can afford (measured in README "Measured"): patterns with an unbounded
    quantifier only (bounded pieces cannot backtrack over more than their bounds), at
    SMALL characters, runs and word + run inputs only; each distinct pattern once per
    process. tests/test_patterns_linear.py runs the full probe at SIZE on every pattern.
    """
    result = _verdict(regex.pattern, regex.flags)
    if result is not None and not result.linear:
        raise DataFileError(
            path,
            line,
            f"this pattern is not linear-time: {result.seconds:.2f} s on {result.worst} "
            f"({result.size:,} characters; the limit is {_limit(result.size):.2f} s there, "
            f"{LIMIT} s per {SIZE:,}). Bound its quantifiers ({{0,20}} rather than * or +), "
            "make runs of spaces possessive (\\s*+), or keep a class from overlapping the "
            "piece after it.",
        )


#: Keys whose text is a regex, in any rule file: entity rules (`regex`, with `ignore_case`
#: beside it), spaCy token patterns (`REGEX`), the tone rules' `business_numbers`.
REGEX_KEYS = frozenset({"regex", "REGEX", "business_numbers"})


@dataclass(frozen=True)
class RulePattern:
    path: Path
    line: int
    #: Where it sits in the file: "entities.card", "flags.media.strong".
    name: str
    regex: re.Pattern


def rule_patterns(path: Path) -> list[RulePattern]:
    """Every regex in one rule file, wherever it is written."""
    from app.core.datafile import load

    found: list[RulePattern] = []

    def walk(value, where: str, line: int) -> None:
        if isinstance(value, dict):
            lines = getattr(value, "lines", {})
            for key, item in value.items():
                item_line = lines.get(key, line)
                if key in REGEX_KEYS and isinstance(item, str):
                    flags = re.IGNORECASE if value.get("ignore_case") else 0
                    name = f"{where}.{value['kind']}" if "kind" in value else where or str(key)
                    found.append(RulePattern(path, item_line, name, re.compile(item, flags)))
                else:
                    walk(item, f"{where}.{key}" if where else str(key), item_line)
        elif isinstance(value, list):
            lines = getattr(value, "lines", [])
            for index, item in enumerate(value):
                walk(item, where, lines[index] if index < len(lines) else line)

    walk(load(path), "", 1)
    return found
