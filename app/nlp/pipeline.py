"""One spaCy pipeline per language, built once per process and reused.

By default `spacy.blank(lang)` with a sentencizer, lemmas from the language's shipped table
(app/nlp/lemmas.py: the forms its rules use, keyed on lower case, so "SUING" is "sue"; or
its `endings` stripped) and our entity rules. When
configuration names a trained pipeline for a language (an installed package or a folder),
it is used instead, with the same rule components added. Nothing is downloaded: a name
that is not installed is reported and the blank pipeline is used.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans, is_package

from app.nlp.common import common_rules
from app.nlp.lemmas import table as lemma_table
from app.nlp.rules import endings, strip_ending

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pipelines: dict[str, Language] = {}
_trained: dict[str, str] = {}
#: What each language actually runs on: "blank" or the trained pipeline's name.
loaded_from: dict[str, str] = {}


def configure(trained: dict[str, str] | None = None) -> None:
    """Name trained pipelines per language ({"en": "en_core_web_sm"}).

    Pipelines already built are kept unless the names change.
    """
    if dict(trained or {}) == _trained:
        return
    with _lock:
        _trained.clear()
        _trained.update(trained or {})
        _pipelines.clear()
        loaded_from.clear()


@Language.factory("composure_lemmas", default_config={"language": "en"})
def _make_lemmas(nlp: Language, name: str, language: str):
    return LowerCaseLemmas(lemma_table(language), endings(language))


class LowerCaseLemmas:
    """Lemmas from the language's shipped table (app/nlp/lemmas.py) on lower-cased words,
    so rules match "Sued", "SUING", "sue" alike; a word the table lacks is itself, less
    the longest of the language's endings that leaves a stem (words.yaml)."""

    def __init__(self, table: dict[str, str] | None, language_endings: tuple[str, ...]) -> None:
        self.table = table or {}
        self.endings = language_endings

    def __call__(self, doc: Doc) -> Doc:
        table = self.table
        language_endings = self.endings
        for token in doc:
            lower = token.lower_
            lemma = table.get(lower)
            if lemma is None:
                lemma = strip_ending(lower, language_endings) if language_endings else lower
            token.lemma_ = lemma
        return doc


@Language.component("composure_regex_entities")
def regex_entities(doc: Doc) -> Doc:
    """References, phone numbers, cards and addresses, by the regexes in rules/common.yaml.

    Entity spans already set (the entity ruler, a trained model's NER) are kept unless one
    of ours overlaps them: a reference is more specific than a trained model's guess.
    """
    spans = []
    text = doc.text
    for rule in common_rules().regex_entities:
        for match in rule.regex.finditer(text):
            start, end = match.span(rule.group)
            if start == end:
                continue
            span = doc.char_span(start, end, label=rule.kind, alignment_mode="expand")
            if span is not None:
                spans.append(span)
    if spans:
        ours = filter_spans(spans)
        taken = {index for span in ours for index in range(span.start, span.end)}
        kept = [
            span
            for span in doc.ents
            if not any(index in taken for index in range(span.start, span.end))
        ]
        doc.ents = filter_spans(kept + ours)
    return doc


def _add_rule_components(nlp: Language, language: str) -> None:
    names = set(nlp.pipe_names)
    if not {"sentencizer", "senter", "parser"} & names:
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("composure_lemmas", config={"language": language})
    ruler_options = {"before": "ner"} if "ner" in names else {}
    ruler = nlp.add_pipe("entity_ruler", name="composure_entity_ruler", **ruler_options)
    ruler.add_patterns(list(common_rules().ruler_patterns))
    nlp.add_pipe("composure_regex_entities")


def _build(language: str) -> Language:
    name = _trained.get(language)
    if name and (is_package(name) or Path(name).is_dir()):
        nlp = spacy.load(name, exclude=["lemmatizer"])
        loaded_from[language] = name
    else:
        if name:
            log.warning(
                "Trained spaCy pipeline %r for %r is not installed; using the rules only.",
                name,
                language,
            )
        try:
            nlp = spacy.blank(language)
        except ImportError:
            nlp = spacy.blank("xx")
        loaded_from[language] = "blank"
    _add_rule_components(nlp, language)
    # Build lazily-created tables now, so the first complaint is not the slow one.
    nlp("Warm up.")
    return nlp


def pipeline_for(language: str) -> Language:
    """The process's pipeline for `language`, built on first use."""
    nlp = _pipelines.get(language)
    if nlp is None:
        with _lock:
            nlp = _pipelines.get(language)
            if nlp is None:
                nlp = _pipelines[language] = _build(language)
    return nlp
