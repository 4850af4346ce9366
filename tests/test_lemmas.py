"""Lemmas: each language's small shipped table, and endings where a language has no table."""

from __future__ import annotations

import pytest
import spacy

from app.nlp import lemmas
from app.nlp.pipeline import LowerCaseLemmas, pipeline_for
from app.nlp.rules import strip_ending


def test_every_shipped_lemma_table_was_made_from_the_rules_as_they_are_now():
    """A rule word added without `make lemmas` would silently match only its own form."""
    assert lemmas.main(["--check"]) == 0


def test_a_table_holds_the_forms_of_the_words_the_rules_use_and_nothing_else():
    full = {"sued": "sue", "suing": "sue", "sues": "sue", "dogs": "dog", "was": "be"}
    kept = lemmas.compact(full, {"sue", "was"})
    assert kept == {"sued": "sue", "suing": "sue", "sues": "sue", "was": "be"}


def test_a_stale_table_is_reported_with_the_command_that_fixes_it(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "nlp" / "rules" / "en"
    folder.mkdir(parents=True)
    (folder / "lemmas.tsv").write_text("# made from: words 0000, spacy-lookups-data 0\n")
    monkeypatch.setattr(lemmas, "NLP_RULES", tmp_path / "nlp" / "rules")
    monkeypatch.setattr(lemmas, "languages", lambda: ["en"])
    assert lemmas.main(["--check"]) == 1
    assert "make lemmas" in capsys.readouterr().err


def test_english_rules_still_match_any_form_of_their_words():
    doc = pipeline_for("en")("They SUED us and are suing again")
    assert [token.lemma_ for token in doc if token.lower_.startswith("su")] == ["sue", "sue"]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("pārdevējam", "pārdevēj"),  # the longest ending that leaves a stem goes
        ("pārdevējs", "pārdevēj"),
        ("tas", "tas"),  # a stem is at least three letters
        ("kur", "kur"),  # no ending
    ],
)
def test_endings_leave_the_stem_that_cue_and_text_share(word, stem):
    assert strip_ending(word, ("am", "s", "a")) == stem


def test_a_word_the_table_lacks_loses_its_ending_and_one_it_holds_keeps_its_lemma():
    component = LowerCaseLemmas({"gāja": "iet"}, ("am", "s"))
    doc = component(spacy.blank("xx")("Pārdevējam GĀJA"))
    assert [token.lemma_ for token in doc] == ["pārdevēj", "iet"]
