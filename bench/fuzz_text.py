"""Random and pathological texts through the complaint analysis and the tone checks.

    .venv/bin/python bench/fuzz_text.py [--count 100000] [--seed 17] [--processes 2]

Every text goes, in this process (or in `--processes` worker processes), through
`app.analysis.analyze` (the intake's analysis) and `app.tone.checker.check` (what the
editor's live check and the API's tone check call) in one of the six languages with rules
(en nl de es pl lv, in turn). The texts: long runs of one character (spaces, letters,
digits, punctuation, emoji, zero-width joiners), punctuation soups, mixed scripts (Latin,
Cyrillic, Arabic and Hebrew right to left, CJK), zero-width and control characters, lone
surrogates and broken encodings (bytes decoded with errors="replace" and
"surrogateescape"), markup, and texts built from the rules themselves: the words of every
rule file of the language, repeated with separators, near-misses of them, and the pieces
of every compiled rule regex (`app.core.patterns.pieces`) run together so that they
backtrack. Most texts are small (nine in ten log-uniform up to 200 characters, the rest
200 to 2,000), every 1,000th is 5,000-20,000 and every 1,000th (another) is the limit,
MAX_COMPLAINT_CHARS (50,000): a deterministic set, the same for a given seed whatever
`--processes`. 34 minutes with 3 processes on this 2-core machine shared with other work.

Prints the crashes (target 0: each one's input kind, size and the head of its traceback),
the calls, the median and p99 per component, the worst time per call per (component,
language) with the input that caused it, and whether the worst 50,000-character call is
under 1 s. Exits 1 on a crash or a call over `--timeout` seconds (stopped there).
Timings on a shared machine are noisy: a slow call is timed again before it is reported.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import signal
import statistics
import string
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import p99, percentile, table  # noqa: E402

LANGUAGES = ("en", "nl", "de", "es", "pl", "lv")
LIMIT = 50_000
BIG_EVERY = 1_000
MEDIUM_EVERY = 1_000
#: A call slower than this is timed a second time (the best of two is kept).
RETIME_OVER = 0.25

RUN_CHARS = [
    " ", "a", "A", "z", "1", "0", ".", "!", "?", ",", "-", "*", "#", "@", "/", "\n", "\t",
    "\u00a0", "\u3000", "é", "ß", "ą", "ž", "ł", "ñ", "😂", "👍🏽", "\u200d", "\u200b",
    "\u200f", "\ufeff", "ا", "ש", "ж", "中", "\u0301",
]  # fmt: skip
PUNCTUATION = string.punctuation + "“”‘’«»„‚…—–¡¿·•§¶†‡※‼⁉。、！？「」『』"
SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzäöüßąęłńśźżāčēģīķļņšūžñáéíóú",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюяё",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "hebrew": "אבגדהוזחטיכלמנסעפצקרשת",
    "cjk": "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年服务退款",
    "greek": "αβγδεζηθικλμνξοπρστυφχψω",
    "devanagari": "कखगघचछजझटठडढणतथदधनपफबभमयरलवशसह",
}
INVISIBLE = [
    chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
]
INVISIBLE += ["\ufeff", "\u00ad", "\u034f", "\u2060", "\u180e"]
CONTROL = [chr(c) for c in (*range(0, 32), *range(0x7F, 0xA0))]
EMOJI = ["😂", "😡", "🤬", "👍🏽", "👩‍👩‍👧‍👦", "🏳️‍🌈", "🇬🇧", "❤️", "🙏🏻", "💩", "🔥"]
MARKUP = [
    "<b>", "</b>", "<script>alert(1)</script>", "<a href='javascript:x'>", "&amp;", "&#x202e;",
    "**", "__", "[link](http://x.example)", "```", "<!--", "-->", "{{ name }}", "{%", "%}",
    "@NorthwindHome", "#fail", "https://example.com/a?b=c&d=e", "mailto:sam@example.com",
    "\\", "%s", "{0}", "${x}", "<![CDATA[", "]]>",
]  # fmt: skip
SEPARATORS = [" ", "", ", ", "!!! ", "\n", "-", ".", " ... ", "\u200b", "/", "  \t "]


@cache
def vocabulary(language: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(words, pattern words, pattern characters) of the language's rule files: every
    string in them (cue words, phrases, messages' words) and the pieces of every regex."""
    from app.core import patterns
    from app.core.datafile import load

    files = sorted(ROOT.glob(f"app/*/rules/{language}/*.yaml"))
    files += sorted(ROOT.glob("app/*/rules/*.yaml"))
    words: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in patterns.REGEX_KEYS:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and 0 < len(value) <= 40:
            words.add(value)

    pattern_words: set[str] = set()
    pattern_chars: set[str] = set()
    for path in files:
        walk(load(path))
        for pattern in patterns.rule_patterns(path):
            found = patterns.pieces(pattern.regex)
            pattern_words.update(found.words)
            pattern_chars.update(found.chars)
    return tuple(sorted(words)), tuple(sorted(pattern_words)), tuple(sorted(pattern_chars))


def _fill(size: int, piece: Callable[[], str]) -> str:
    parts, length = [], 0
    while length < size:
        part = piece()
        parts.append(part)
        length += len(part) or 1
    return "".join(parts)[:size]


def run_of_one(rng, size, lang):
    return rng.choice(RUN_CHARS) * size


def word_then_run(rng, size, lang):
    word = rng.choice(vocabulary(lang)[0])
    tail = rng.choice(["", "x", "1", ".", "!"])
    return (word + rng.choice(RUN_CHARS) * size)[: size - len(tail)] + tail


def punctuation_soup(rng, size, lang):
    return "".join(rng.choice(PUNCTUATION + " ") for _ in range(size))


def mixed_scripts(rng, size, lang):
    def word():
        letters = SCRIPTS[rng.choice(list(SCRIPTS))]
        mark = rng.choice(["", "", "\u200f", "\u200e", "\u202b", "\u202c"])
        return mark + "".join(rng.choice(letters) for _ in range(rng.randint(1, 9))) + " "

    return _fill(size, word)


def invisible_and_control(rng, size, lang):
    words = vocabulary(lang)[0]

    def piece():
        pool = rng.choice([INVISIBLE, CONTROL, [rng.choice(words)]])
        return rng.choice(pool) + rng.choice(["", " ", rng.choice(INVISIBLE)])

    return _fill(size, piece)


def surrogates(rng, size, lang):
    words = vocabulary(lang)[0]

    def piece():
        lone = chr(rng.randint(0xD800, 0xDFFF))
        return rng.choice([lone, rng.choice(words) + " ", lone + rng.choice(words)])

    return _fill(size, piece)


def broken_encoding(rng, size, lang):
    words = vocabulary(lang)[0]
    raw = bytearray(_fill(size, lambda: rng.choice(words) + " ").encode("utf-8"))
    for _ in range(max(1, len(raw) // 20)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    codec = rng.choice(["utf-8", "utf-16-le", "latin-1", "cp1252"])
    handler = rng.choice(["replace", "surrogateescape"])
    if codec == "utf-16-le":  # whole code units; unpaired surrogates come through as they are
        raw, handler = raw[: len(raw) // 2 * 2], rng.choice(["replace", "surrogatepass"])
    return bytes(raw).decode(codec, errors=handler)[:size]


def markup(rng, size, lang):
    words = vocabulary(lang)[0]
    return _fill(size, lambda: rng.choice([rng.choice(MARKUP), rng.choice(words) + " "]))


def random_code_points(rng, size, lang):
    def point():
        if rng.random() < 0.7:
            return chr(rng.randint(0x20, 0x2FFF))
        return chr(rng.choice([rng.randint(0x1F300, 0x1FAFF), rng.randint(0x3000, 0xFFFF)]))

    return "".join(point() for _ in range(size))


def cue_words_repeated(rng, size, lang):
    words = vocabulary(lang)[0]
    chosen = [rng.choice(words) for _ in range(rng.randint(1, 4))]
    separator = rng.choice(SEPARATORS)
    return _fill(size, lambda: rng.choice(chosen) + separator)


def near_misses(rng, size, lang):
    words = vocabulary(lang)[0]

    def miss():
        word = rng.choice(words)
        cut = rng.randrange(len(word) + 1)
        change = rng.choice(["drop", "double", "swap", "case", "accent"])
        if change == "drop":
            word = word[:cut] + word[cut + 1 :]
        elif change == "double":
            word = word[:cut] + word[cut : cut + 1] * rng.randint(2, 30) + word[cut + 1 :]
        elif change == "swap":
            word = word[:cut] + rng.choice(string.ascii_letters) + word[cut + 1 :]
        elif change == "case":
            word = word.upper() if rng.random() < 0.5 else word.swapcase()
        else:
            word = word[:cut] + "\u0301" + word[cut:]
        return word + rng.choice(SEPARATORS)

    return _fill(size, miss)


def regex_pieces(rng, size, lang):
    _, words, chars = vocabulary(lang)
    word = rng.choice(words) if words else "card"
    char = rng.choice(chars) if chars else " "
    shape = rng.choice(["word+run", "unit*n", "word*n", "words+chars"])
    if shape == "word+run":
        return (word + char * size)[:size]
    if shape == "unit*n":
        return _fill(size, lambda: word + char)
    if shape == "word*n":
        return _fill(size, lambda: word)
    return _fill(
        size, lambda: rng.choice(words or ["x"]) + rng.choice(chars or [" "]) * rng.randint(0, 8)
    )


def entity_like(rng, size, lang):
    def piece():
        digits = "".join(rng.choice(string.digits) for _ in range(rng.randint(1, 24)))
        return rng.choice(
            [
                digits,
                "**** **** **** " + digits[:4],
                "+44 " + digits,
                f"NW-{digits}",
                f"{digits}@{digits}.example",
                "#" * rng.randint(1, 5) + digits,
                f"ending in {digits[:4]}",
                "card " + "x" * rng.randint(1, 40) + digits,
                digits + "-" * rng.randint(1, 9),
            ]
        ) + rng.choice(SEPARATORS)

    return _fill(size, piece)


def shouting_and_emoji(rng, size, lang):
    words = vocabulary(lang)[0]
    return _fill(
        size,
        lambda: (
            rng.choice(words).upper()
            + "!" * rng.randint(0, 9)
            + rng.choice(EMOJI) * rng.randint(0, 3)
            + " "
        ),
    )


def plausible(rng, size, lang):
    words = vocabulary(lang)[0]
    starts = ["@NorthwindHome ", "Hi, ", "", "Dear team, "]
    return _fill(
        size,
        lambda: (
            rng.choice(starts)
            + " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
            + rng.choice([". ", "! ", "?! ", "... ", ".\n\n"])
        ),
    )


def whitespace_mix(rng, size, lang):
    spaces = [" ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\u2029", "\u200b", "\x0b"]
    word = rng.choice(vocabulary(lang)[0])
    return _fill(size, lambda: rng.choice(spaces) * rng.randint(1, 50) + rng.choice(["", word]))


KINDS: dict[str, Callable] = {
    "run of one character": run_of_one,
    "rule word + long run": word_then_run,
    "punctuation soup": punctuation_soup,
    "mixed scripts": mixed_scripts,
    "zero-width and control": invisible_and_control,
    "lone surrogates": surrogates,
    "broken encoding": broken_encoding,
    "markup": markup,
    "random code points": random_code_points,
    "rule words repeated": cue_words_repeated,
    "rule-word near misses": near_misses,
    "rule regex pieces": regex_pieces,
    "entity-like numbers": entity_like,
    "shouting and emoji": shouting_and_emoji,
    "plausible rant": plausible,
    "whitespace mix": whitespace_mix,
}
KIND_NAMES = tuple(KINDS)


def make_input(seed: int, index: int) -> tuple[str, str, str]:
    """(kind, language, text) of input `index`: the same for a seed wherever it runs."""
    rng = random.Random(f"{seed}:{index}")
    if index % BIG_EVERY == 0:
        big = index // BIG_EVERY
        language = LANGUAGES[big % len(LANGUAGES)]
        kind = KIND_NAMES[(big // len(LANGUAGES) + big) % len(KIND_NAMES)]
        size = LIMIT
    else:
        language = LANGUAGES[index % len(LANGUAGES)]
        kind = rng.choice(KIND_NAMES)
        if index % MEDIUM_EVERY == MEDIUM_EVERY // 2:
            size = rng.randint(5_000, 20_000)
        elif rng.random() < 0.9:
            size = int(math.exp(rng.uniform(0, math.log(200))))
        else:
            size = int(math.exp(rng.uniform(math.log(200), math.log(2_000))))
    return kind, language, KINDS[kind](rng, size, language)[:LIMIT]


@dataclass
class Call:
    component: str
    language: str
    kind: str
    size: int
    seconds: float


@dataclass
class Results:
    calls: list[Call] = field(default_factory=list)
    crashes: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    refused: int = 0


class _Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Timeout


_STATE: dict = {}


def _setup(timeout: float) -> None:
    """Load every language's pipelines and rules once per process (not timed)."""
    from app.analysis import analyze
    from app.channels import ChannelInfo, LengthCounting
    from app.tone import checker

    _STATE["timeout"] = timeout
    _STATE["channels"] = (
        ChannelInfo("x", "X", True, 280, True, LengthCounting.X_WEIGHTED),
        ChannelInfo("email", "E-mail", False, 10000, False),
    )
    for language in LANGUAGES:
        vocabulary(language)
        analyze("Warm-up: the parcel is late.", language=language)
        checker.check(
            "Sorry, we'll fix it today.", channel=_STATE["channels"][0], language=language
        )
    signal.signal(signal.SIGALRM, _alarm)


def _components(index: int, language: str):
    from app.analysis import analyze
    from app.tone import checker
    from app.tone.checks import ComplaintContext

    channel = _STATE["channels"][index % 2]

    def tone(text: str):
        # Every 10th small text is also the complaint the reply answers (its anger cues).
        complaint = (
            ComplaintContext(text, language) if index % 10 == 3 and len(text) < 5_000 else None
        )
        return checker.check(text, channel=channel, language=language, complaint=complaint)

    return (
        ("analysis", lambda text: analyze(text, channel=channel.key, language=language)),
        ("tone check", tone),
    )


def _timed(function, text: str) -> float:
    signal.setitimer(signal.ITIMER_REAL, _STATE["timeout"])
    started = time.perf_counter()
    try:
        function(text)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return time.perf_counter() - started


def run_chunk(job: tuple[int, int, int]) -> Results:
    from app.tone.checker import ToneCheckError

    seed, start, stop = job
    results = Results()
    for index in range(start, stop):
        kind, language, text = make_input(seed, index)
        for component, function in _components(index, language):
            try:
                seconds = _timed(function, text)
                if seconds > RETIME_OVER:
                    seconds = min(seconds, _timed(function, text))
            except ToneCheckError:
                results.refused += 1
                continue
            except _Timeout:
                head = f"stopped after {_STATE['timeout']:.0f} s"
                results.crashes.append((component, language, kind, len(text), head))
                continue
            except Exception:  # noqa: BLE001 - a crash is what we are looking for
                head = "".join(traceback.format_exc().splitlines(keepends=True)[-6:])
                results.crashes.append((component, language, kind, len(text), head))
                continue
            results.calls.append(Call(component, language, kind, len(text), seconds))
    return results


def _worker_init(timeout: float) -> None:
    _setup(timeout)


def fuzz(count: int, seed: int, processes: int, timeout: float) -> tuple[Results, float]:
    chunk = 200
    jobs = [(seed, start, min(start + chunk, count)) for start in range(0, count, chunk)]
    total = Results()
    started = time.perf_counter()
    done = 0

    def merge(part: Results) -> None:
        nonlocal done
        total.calls.extend(part.calls)
        total.crashes.extend(part.crashes)
        total.refused += part.refused
        done += 1
        if done % 50 == 0 or done == len(jobs):
            print(
                f"  {done * chunk:,}/{count:,} texts, {len(total.crashes)} crashes, "
                f"{time.perf_counter() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    if processes <= 1:
        _setup(timeout)
        started = time.perf_counter()
        for job in jobs:
            merge(run_chunk(job))
    else:
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=_worker_init, initargs=(timeout,)) as pool:
            for part in pool.imap_unordered(run_chunk, jobs):
                merge(part)
    return total, time.perf_counter() - started


def report(results: Results, count: int, seconds: float, processes: int) -> bool:
    print(f"\n{count:,} texts, {len(results.calls):,} calls in {seconds:.0f} s "
          f"({processes} process{'es' if processes != 1 else ''}, {os.cpu_count()} cores; "
          f"{results.refused} refused as too long by the tone check)")  # fmt: skip
    print(f"\ncrashes: {len(results.crashes)} (target 0)")
    for component, language, kind, size, head in results.crashes[:20]:
        print(f"  {component} [{language}] on {kind}, {size:,} characters:")
        print("    " + head.strip().replace("\n", "\n    "))
    components = sorted({call.component for call in results.calls})
    rows = []
    for component in components:
        times = [call.seconds for call in results.calls if call.component == component]
        rows.append(
            [
                component,
                len(times),
                f"{statistics.median(times) * 1000:.1f}",
                f"{percentile(times, 0.95) * 1000:.1f}",
                f"{p99(times) * 1000:.1f}",
                f"{max(times) * 1000:.0f}",
            ]
        )
    table("time per call", ["component", "calls", "median ms", "p95 ms", "p99 ms", "max ms"], rows)
    worst: dict[tuple[str, str], Call] = {}
    for call in results.calls:
        key = (call.component, call.language)
        if key not in worst or call.seconds > worst[key].seconds:
            worst[key] = call
    table(
        "the worst call per component and language, and the input that caused it",
        ["component", "language", "worst s", "input kind", "characters"],
        [
            [c.component, c.language, f"{c.seconds:.3f}", c.kind, f"{c.size:,}"]
            for _, c in sorted(worst.items())
        ],
    )
    big = [call for call in results.calls if call.size >= LIMIT]
    if big:
        slowest = max(big, key=lambda call: call.seconds)
        over = [call for call in big if call.seconds >= 1.0]
        print(
            f"\nworst {LIMIT:,}-character call: {slowest.seconds:.3f} s ({slowest.component}, "
            f"{slowest.language}, {slowest.kind}); under 1 s: "
            f"{'yes' if slowest.seconds < 1.0 else 'no'} ({len(over)} of {len(big)} over)"
        )
        if over:
            by_kind: dict[tuple[str, str], int] = {}
            for call in over:
                by_kind[(call.component, call.kind)] = (
                    by_kind.get((call.component, call.kind), 0) + 1
                )
            for (component, kind), number in sorted(by_kind.items()):
                print(f"  over 1 s: {component} on {kind}: {number}")
    return not results.crashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="stop a call after this many seconds"
    )
    args = parser.parse_args()
    results, seconds = fuzz(args.count, args.seed, args.processes, args.timeout)
    ok = report(results, args.count, seconds, args.processes)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
