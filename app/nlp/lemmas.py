"""Each language's lemma table: small, shipped with its rules, made from spaCy's.

Rule cues are matched on lemmas ("Anwalt" finds "Anwälte"). spaCy's lookup tables
(spacy-lookups-data) hold every form of a language's words: 213,000 Dutch, 355,000 German,
492,000 Spanish and 1.8 million Polish forms, 74 to 200 MB each in a worker. The rules only
ever ask about the words they use, so `python -m app.nlp.lemmas` (`make lemmas`) keeps, per
language, the forms whose lemma is a word of its rule files (and the forms the rules write
themselves), and writes them to `app/nlp/rules/<language>/lemmas.tsv`. A word a table does
not hold is read as itself, lower-cased, less one of the language's `endings`
(words.yaml) when it has them. Rerun after changing a language's rules: the test suite
fails while a table is stale (`--check` compares the fingerprint of the rule words a
table was made from, in its header, with today's).

Polish has one table per part of speech in spaCy (its lemmatizer needs the tagger this
product does not run); they are merged here: a form that is a lemma itself in any of them
keeps itself, else the first part of speech in POLISH_ORDER wins. Latvian has no table:
its rules use `endings`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import shutil
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import spacy

from app.core import datafile

APP_DIR = Path(__file__).resolve().parent.parent
NLP_RULES = APP_DIR / "nlp" / "rules"
TABLE_NAME = "lemmas.tsv"
#: The order in which Polish per-part-of-speech tables give a form its lemma, after a form
#: that is a lemma itself in any of them keeps itself: "nie" stays "nie" (not the pronoun
#: "on"), "nic" stays "nic" (not the noun "nica"), "działa" is "działać" (not "działo").
POLISH_ORDER = ("part", "adp", "aux", "verb", "pron", "num", "adj", "adv", "noun")


def rule_folders(language: str) -> list[Path]:
    """Every feature's rule folder for `language` (app/<feature>/rules/<language>/)."""
    return sorted(path for path in APP_DIR.glob(f"*/rules/{language}") if path.is_dir())


def languages() -> list[str]:
    """Every language some feature has rules for."""
    return sorted({path.name for path in APP_DIR.glob("*/rules/*") if path.is_dir()})


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def rule_words(language: str) -> set[str]:
    """The words, lower-cased and tokenised as the pipeline tokenises, of every string in
    the language's rule files: cue phrases, pattern values, messages alike."""
    try:
        tokenizer = spacy.blank(language).tokenizer
    except ImportError:
        tokenizer = spacy.blank("xx").tokenizer
    words: set[str] = set()
    for folder in rule_folders(language):
        for path in sorted(folder.glob("*.yaml")):
            data = datafile.rows(path)
            for text in _strings(data):
                words.update(token.lower_ for token in tokenizer(text) if token.is_alpha)
    return words


def _lookup_files(language: str) -> list[Path]:
    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data"
    single = data / f"{language}_lemma_lookup.json.gz"
    if single.exists():
        return [single]
    return [
        path
        for pos in POLISH_ORDER
        if (path := data / f"{language}_lemma_lookup_{pos}.json.gz").exists()
    ]


def full_table(language: str) -> dict[str, str] | None:
    """spaCy's whole lookup table for `language` (parts of speech merged), or None."""
    import srsly

    files = _lookup_files(language)
    if not files:
        return None
    table: dict[str, str] = {}
    capitalised: dict[str, str] = {}
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for form, lemma in srsly.json_loads(handle.read()).items():
                if not isinstance(lemma, str):
                    continue
                if form.lower() == form:
                    table.setdefault(form, lemma.lower())
                else:
                    capitalised.setdefault(form.lower(), lemma.lower())
    if len(files) > 1:  # parts of speech merged: a word that is a lemma keeps itself
        for lemma in set(table.values()):
            if lemma in table:
                table[lemma] = lemma
    # Forms spelt with a capital (German nouns: "Anwälte" -> "Anwalt", "Gebühren") are
    # looked up in lower case like every word; a lower-case form of the same spelling wins.
    for form, lemma in capitalised.items():
        table.setdefault(form, lemma)
    return table


def compact(table: dict[str, str], words: Iterable[str]) -> dict[str, str]:
    """The entries the rules can use: a form of a word the rules name (its lemma being
    one of their words or their words' lemmas), or a form they write themselves."""
    words = set(words)
    wanted = words | {table[word] for word in words if word in table}
    return {form: lemma for form, lemma in table.items() if lemma in wanted or form in words}


def fingerprint(words: Iterable[str]) -> str:
    """What a table was made from: the rule words and the lookups' version."""
    from importlib.metadata import version

    digest = hashlib.sha256("\n".join(sorted(words)).encode("utf-8")).hexdigest()[:16]
    return f"words {digest}, spacy-lookups-data {version('spacy-lookups-data')}"


def render(language: str, table: dict[str, str], made_from: str) -> str:
    lines = [
        f"# {language}: the forms of the words its rules use and their lemmas, from",
        "# spacy-lookups-data (MIT; the source's own licence is in LEMMAS_LICENSE.txt).",
        "# Written by `make lemmas` (app/nlp/lemmas.py); do not edit by hand.",
        f"# made from: {made_from}",
    ]
    lines += [f"{form}\t{lemma}" for form, lemma in sorted(table.items())]
    return "\n".join(lines) + "\n"


def _licence(language: str) -> Path | None:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{language}_license.txt"
    return path if path.exists() else None


def build(language: str, words: set[str]) -> str | None:
    """The language's lemmas.tsv as it should be, or None when spaCy has no table."""
    table = full_table(language)
    if table is None:
        return None
    return render(language, compact(table, words), fingerprint(words))


def made_from(path: Path) -> str | None:
    """The fingerprint a written table was made from, or None when there is no table."""
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            if line.startswith("# made from: "):
                return line.removeprefix("# made from: ").strip()
    return ""


@cache
def table(language: str) -> dict[str, str] | None:
    """The shipped lemma table of `language`, or None when it has none."""
    path = NLP_RULES / language / TABLE_NAME
    if not path.is_file():
        return None
    found = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            form, _, lemma = line.rstrip("\n").partition("\t")
            found[form] = lemma
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a table is stale")
    parser.add_argument("--force", action="store_true", help="rewrite every table")
    args = parser.parse_args(argv)
    stale = []
    for language in languages():
        words = rule_words(language)
        path = NLP_RULES / language / TABLE_NAME
        written = made_from(path)
        if not args.force and written == fingerprint(words):
            continue
        if written is None and not _lookup_files(language):
            continue  # no table, and none to make: Latvian
        stale.append(language)
        if args.check:
            continue
        wanted = build(language, words)
        if wanted is None:
            path.unlink()
            print(f"{language}: no spaCy table, {path} removed")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted, encoding="utf-8")
        licence = _licence(language)
        if licence is not None:
            shutil.copyfile(licence, path.parent / "LEMMAS_LICENSE.txt")
        forms = sum(1 for line in wanted.splitlines() if not line.startswith("#"))
        print(f"{language}: {forms} forms written to {path}")
    if args.check and stale:
        print(f"stale lemma tables: {', '.join(stale)}; run `make lemmas`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
