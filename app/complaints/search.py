"""Word search over complaints: one interface, two engines. No Flask.

What a person types is read as words, never as a search engine's syntax: every word is
matched as a word (in any order, any case, any inflection the engine's stemmer knows:
"charged twice" finds "charged me TWICE" and "charge twice"), a word of three letters or
more also as the start of a longer one ("parcel" finds "@parcelfan"), and words in double
quotes as a phrase. All words must be there (AND). A piece with symbols in it ("100%",
"😡", "_") is matched as typed, as a substring. Quotes, `*`, `-`, `:`, `NEAR`, `AND` and
`OR` are just characters or words: the engine's query is built from letters and digits.

The engines, each with its index built by migration 0016_volume:

- SQLite: an FTS5 table `complaints_fts` over the text, the author's name and handle
  (external content: the words only; triggers keep it in step with `complaints`), with the
  porter stemmer on the unicode61 tokenizer (diacritics folded: "Rīga" finds "Riga").
- PostgreSQL: a stored generated tsvector column `search_words` over the text, name and
  handle, with a GIN index, through the configuration `composure_words`: English snowball
  stemming and no stop words (as porter on SQLite: "internet down again" keeps "down").

Why one English stemmer for every language on both: the complaints are in en, nl, de, es,
pl and lv; PostgreSQL has no Polish or Latvian configuration and SQLite's FTS5 only porter;
a per-row configuration (complaints.language) would need the query in each row's
configuration too, which no single index serves, and would answer differently on the two
databases. Stemming English words and matching every other language word for word
(re-ordered, any case, by prefix) gives the same answers on both. Left over: SQLite folds
diacritics ("Rīga" finds "Riga"), PostgreSQL (no unaccent extension) does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import String, and_, bindparam, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from app.complaints.models import Complaint

#: The SQLite word index (a virtual table outside the models; Alembic's compare skips it).
FTS_TABLE = "complaints_fts"
#: PostgreSQL's generated tsvector column (outside the models: SQLite has no such column).
PG_COLUMN = "search_words"
#: PostgreSQL's text search configuration, in the column and in every query.
PG_CONFIG = "composure_words"

_PIECE = re.compile(r'"([^"]*)"?|([^\s"]+)')
#: A word: letters and digits (no underscore: the tokenizers split on it).
_WORD = re.compile(r"[^\W_]+")
#: Punctuation around a word that a person types without meaning it as part of the word.
_EDGES = "\"'`.,;:!?()[]{}<>«»“”„‘’*^~+=-–—@#"
#: Characters between words that join them into a phrase ("e-mail", "don't", "late_larry").
_JOINERS = set("-'’._:/@&+()[]{},;!?*^~=<>")


#: A lone word this long or longer is also the start of longer ones ("parcel" finds
#: "@parcelfan"); shorter ones are whole words ("a" would otherwise read half the index).
MIN_PREFIX = 3


def _prefix(phrase: tuple[str, ...]) -> bool:
    return len(phrase) == 1 and len(phrase[0]) >= MIN_PREFIX


@dataclass(frozen=True)
class WordQuery:
    """A search read as words: phrases (one word or several in order) that must all be
    found, and pieces with symbols that must all appear as typed."""

    phrases: tuple[tuple[str, ...], ...] = ()
    literals: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> WordQuery:
        phrases: list[tuple[str, ...]] = []
        literals: list[str] = []
        for quoted, bare in _PIECE.findall(text):
            if quoted:
                words = tuple(word.lower() for word in _WORD.findall(quoted))
                if words:
                    phrases.append(words)
                continue
            if not bare:
                continue
            core = bare.strip(_EDGES)
            between = {char for char in core if not _WORD.fullmatch(char)}
            words = tuple(word.lower() for word in _WORD.findall(core))
            if words and not between - _JOINERS:
                phrases.append(words)
            elif core:
                literals.append(bare.lower())
        if not phrases and not literals and text.strip():
            literals.append(text.lower())
        return cls(tuple(phrases), tuple(literals))

    def sqlite_match(self) -> str:
        """The FTS5 query: each word quoted (so nothing in it is syntax), a lone word also
        as a prefix, all of them ANDed."""
        parts = []
        for phrase in self.phrases:
            joined = " ".join(phrase)
            parts.append(f'"{joined}"*' if _prefix(phrase) else f'"{joined}"')
        return " AND ".join(parts)

    def postgres_query(self) -> str:
        """The to_tsquery text: quoted lexemes, `:*` for a lone word, `<->` in phrases."""
        parts = []
        for phrase in self.phrases:
            if _prefix(phrase):
                parts.append(f"'{phrase[0]}':*")
            elif len(phrase) == 1:
                parts.append(f"'{phrase[0]}'")
            else:
                parts.append("(" + " <-> ".join(f"'{word}'" for word in phrase) + ")")
        return " & ".join(parts)

    def condition(self):
        """The WHERE clause over `complaints`: every phrase in the word index and every
        literal piece in the text, name or handle (LIKE wildcards matched literally)."""
        terms = []
        if self.phrases:
            terms.append(WordsMatch(self))
        for piece in self.literals:
            terms.append(
                or_(
                    func.lower(Complaint.text).contains(piece, autoescape=True),
                    func.lower(Complaint.author_name).contains(piece, autoescape=True),
                    func.lower(Complaint.author_handle).contains(piece, autoescape=True),
                )
            )
        return and_(*terms)

    @property
    def reads_rows(self) -> bool:
        """A literal piece is matched against every row (no index serves a substring)."""
        return bool(self.literals)


class WordsMatch(ColumnElement):
    """Complaints whose words match `query`, compiled for the database in use. The query
    text travels as a bound parameter of either kind, so the statement's compiled form is
    cached like any other (only the parameter's value changes from search to search)."""

    inherit_cache = True
    type = Boolean()
    #: A predicate already: rendered as is, never compared with 1 (which would keep
    #: SQLite from looking the matched ids up by primary key).
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("fts_match", InternalTraversal.dp_clauseelement),
        ("ts_query", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, query: WordQuery) -> None:
        self.fts_match = bindparam("fts_match", query.sqlite_match(), String, unique=True)
        self.ts_query = bindparam("ts_query", query.postgres_query(), String, unique=True)


@compiles(WordsMatch, "sqlite")
def _sqlite(element: WordsMatch, compiler, **kw) -> str:
    match = compiler.process(element.fts_match, **kw)
    return f"complaints.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {match})"


@compiles(WordsMatch, "postgresql")
def _postgresql(element: WordsMatch, compiler, **kw) -> str:
    query = compiler.process(element.ts_query, **kw)
    return f"complaints.{PG_COLUMN} @@ to_tsquery('{PG_CONFIG}'::regconfig, {query})"


@compiles(WordsMatch)
def _other(element: WordsMatch, compiler, **kw) -> str:
    raise NotImplementedError(f"No word search on {compiler.dialect.name}")


def in_models(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's `include_name`: the word index (SQLite's FTS5 table and its shadow tables,
    PostgreSQL's generated column and its index) is the migration's, not the models';
    comparing schemas leaves it out."""
    if type_ == "column":
        return name != PG_COLUMN
    if type_ == "index":
        return name != f"ix_complaints_{PG_COLUMN}"
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))
