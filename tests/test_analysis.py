"""Complaint analysis: what an agent sees flagged, typed and highlighted, and why.

These check behaviour a user would notice on clear cases and on traps (praise that sounds
violent, jokes, acronyms). How well the rules do over many complaints is measured by
bench/analysis.py on the labelled sets, not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis import analyze
from app.analysis import rules as analysis_rules
from app.analysis.rules import COMPLAINER_TYPES, FLAGS, DataFileError
from app.core import datafile
from app.core.datafile import load

DATA = Path(__file__).parent / "data"


def words(result, key: str) -> list[str]:
    return [item.text.lower() for item in result.evidence.get(key, ())]


def test_a_legal_threat_is_flagged_with_the_words_that_triggered_it():
    text = "@NorthwindHome third week without a refund. My solicitor will be in touch."
    result = analyze(text, channel="x")
    assert "legal_threat" in result.flags
    [evidence] = result.evidence["legal_threat"]
    assert text[evidence.start : evidence.end] == "solicitor"


@pytest.mark.parametrize(
    "text",
    [
        "this deal is killer",
        "I'd sue for a pizza like this 😂",
        "your new cheesecake is to die for",
        "the courier absolutely killed it, parcel here by 8am",
        "My phone won't charge since the update, any fix?",
        "Delayed on account of the snow, no worries",
    ],
)
def test_praise_jokes_and_idioms_raise_no_flag(text):
    assert analyze(text).flags == ()


@pytest.mark.parametrize(
    "text",
    [
        # Issue 15: "isn't safe", said plainly, and water by the electrics.
        "Water pooled by the plug socket, which obviously isn't safe",
        "The stair lift does not feel safe at all since your engineer left",
        "Is that even safe? The charger gets so hot I can't touch it",
        "Water leaking from the ceiling right next to the sockets, nobody has come",
        "The sockets in the kitchen are soaked after your plumber's visit",
    ],
)
def test_danger_in_plain_words_is_a_safety_matter(text):
    assert "safety" in analyze(text).flags


@pytest.mark.parametrize(
    "text",
    [
        "It is not safe to say when it arrives, the courier has no slot yet",
        "Your app says my payment is safe but I was charged twice",
        "Thanks, the parcel arrived safe and sound",
        "My phone is water resistant but the plug end broke off",
    ],
)
def test_safe_as_a_manner_of_speaking_is_no_safety_matter(text):
    assert "safety" not in analyze(text).flags


def test_entities_carry_their_spans_in_the_text():
    text = (
        "Hi, my name is Dana Whitlock. Order #NW-50177 was charged twice on my card "
        "ending 4417. Email dana.w@example.com or call 07700 900761. Claim CLM-24510. @dana_w"
    )
    result = analyze(text, channel="email")
    found = {(entity.kind, entity.text) for entity in result.entities}
    assert {
        ("name", "Dana Whitlock"),
        ("order_ref", "NW-50177"),
        ("card", "4417"),
        ("email", "dana.w@example.com"),
        ("phone", "07700 900761"),
        ("claim_ref", "CLM-24510"),
        ("handle", "@dana_w"),
    } <= found
    for entity in result.entities:
        assert text[entity.start : entity.end] == entity.text
    # An e-mail address, a phone number and card digits are personal data.
    assert "personal_data" in result.flags
    assert "billing" in result.flags


def test_shouting_makes_it_hot_and_aggressive_but_acronyms_do_not():
    hot = analyze("WHERE IS MY ORDER?? Paid for next day and NOTHING. Absolute joke!!!")
    calm = analyze("Hi, the DPD ETA says 10am but the UPS app shows nothing, any update?")
    assert (hot.heat_label, hot.complainer_type) == ("high", "aggressive")
    assert "where" in words(hot, "complainer_type")
    assert calm.heat_label == "low"
    assert calm.complainer_type == "constructive"
    assert hot.heat > calm.heat


def test_a_warning_to_other_customers_is_passive():
    result = analyze(
        "PSA: don't order from Northwind. Three weeks and still no sofa. Never again 🙄"
    )
    assert result.complainer_type == "passive"
    assert result.reasons["complainer_type"]


def test_an_attack_is_flagged_as_harassment_and_reads_aggressive():
    result = analyze("I hope your warehouse burns down with every one of you in it, subhuman scum")
    assert "harassment" in result.flags
    assert result.complainer_type == "aggressive"


@pytest.mark.parametrize(
    ("text", "notice"),
    [
        ("", "no text"),
        ("   \u200b  ", "no text"),
        ("😡😡😡", "Too few words"),
        (
            "Bonjour, ma commande n'est jamais arrivée et personne ne me répond.",
            "no analysis rules",
        ),
    ],
)
def test_odd_input_gets_a_result_and_a_notice_never_a_crash(text, notice):
    result = analyze(text)
    assert any(notice.lower() in item.lower() for item in result.notices), result.notices
    if result.language_supported:
        assert result.heat_label in ("low", "medium", "high")
    else:  # not read: no guess
        assert result.heat_label is None


def test_a_language_without_rules_is_named_and_not_read_with_another_languages_rules():
    result = analyze("Bonjour, ma commande n'est jamais arrivée et personne ne me répond.")
    assert result.language == "fr"
    assert result.language_supported is False
    assert (result.heat, result.heat_label, result.complainer_type, result.category) == (
        (None,) * 4
    )


@pytest.mark.parametrize(
    "text",
    [
        "x" * 50_000,
        "WHY " * 12_500,
        "😡" * 25_000,
        "broken \ud83d surrogate and \x00 control",
        "שלום, ההזמנה שלי לא הגיעה #NW-1234 ‏🙏",
        ("My order never came!!! " * 3000)[:50_000],
    ],
)
def test_huge_broken_and_right_to_left_text_is_analysed(text):
    result = analyze(text)
    assert result.heat_label in (
        ("low", "medium", "high") if result.language_supported else (None,)
    )
    assert sum(len(items) for items in result.evidence.values()) <= 40 * 13


def test_every_rule_file_loads():
    assert "en" in analysis_rules.check_all()


def test_a_bad_rule_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "flags.yaml"
    path.write_text(
        "language: en\nflags:\n  billing:\n    strong: [refund]\n  billingg:\n    strong: [x]\n"
    )
    with pytest.raises(DataFileError, match=r"flags.yaml:5: unknown flag 'billingg'"):
        analysis_rules._named_signals(path, "flags", FLAGS, require_all=False)
    path.write_text(
        "language: en\nflags:\n  billing:\n    strong:\n      - {pattern: [{LOWERR: x}]}\n"
    )
    with pytest.raises(DataFileError, match=r"flags.yaml:5: unknown token attribute 'LOWERR'"):
        analysis_rules._named_signals(path, "flags", FLAGS, require_all=False)


def test_no_and_off_stay_words_in_rule_files(tmp_path):
    path = tmp_path / "words.yaml"
    path.write_text("words: [no, off, on, yes]\nflag: true\n")
    assert load(path) == {"words": ["no", "off", "on", "yes"], "flag": True}


def test_the_development_set_is_big_and_balanced_enough_to_measure():
    rows = datafile.rows(DATA / "analysis_dev.yaml")
    assert len(rows) >= 150
    assert len({row["id"] for row in rows}) == len(rows)
    for kind in COMPLAINER_TYPES:
        assert sum(row["type"] == kind for row in rows) >= 40, kind
    for flag in FLAGS:
        assert sum(flag in row["flags"] for row in rows) >= 15, flag
    assert sum("tricky negative" in (row.get("note") or "") for row in rows) >= 30


def test_a_trained_pipeline_named_in_configuration_is_used_when_installed(tmp_path):
    import spacy

    from app.nlp import pipeline

    # Stand-in for a trained pipeline on disk: its "ner" knows one person's name.
    trained = spacy.blank("en")
    ner = trained.add_pipe("entity_ruler", name="ner")
    ner.add_patterns([{"label": "PERSON", "pattern": "Morwenna"}])
    trained.to_disk(tmp_path / "trained_en")
    text = "Morwenna at your Leeds store was rude to me"
    assert "Morwenna" not in [e.text for e in analyze(text).entities_of("name")]
    try:
        pipeline.configure({"en": str(tmp_path / "trained_en")})
        result = analyze(text)
        assert pipeline.loaded_from["en"] == str(tmp_path / "trained_en")
        assert [e.text for e in result.entities_of("name")] == ["Morwenna"]
    finally:
        pipeline.configure({})
    assert pipeline.loaded_from.get("en", "blank") == "blank"
    # A name that is not installed is never downloaded: the rules carry on alone.
    try:
        pipeline.configure({"en": "en_core_web_nonexistent"})
        assert analyze(text).language == "en"
        assert pipeline.loaded_from["en"] == "blank"
    finally:
        pipeline.configure({})


@pytest.mark.parametrize(
    ("text", "attack"),
    [
        ("whoever runs this account is a brain-dead clown 🤡, losers the lot of you", True),
        ("Idiots. Absolute idiots.", True),
        ("you useless idiots, my parcel is 3 weeks late and still no refund", False),
        ("this app is useless, pathetic update", False),
    ],
)
def test_insults_with_no_problem_to_fix_are_an_attack_not_a_complaint(text, attack):
    result = analyze(text)
    assert ("harassment" in result.flags) is attack
    if attack:
        assert result.evidence["harassment"]
        assert result.complainer_type == "aggressive"
