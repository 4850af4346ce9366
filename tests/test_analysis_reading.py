"""A complaint's reading on wordings no example had: heat that a legal threat and an insult
make hot, threats and discrimination in other words, staff named only by their role, and
the trained `anger` model behind heat (shipped as its recipe makes it, pointing at words).

How well the reading does over many complaints is measured by bench/analysis.py on the
labelled sets (tests/data/analysis_*.yaml), not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis import analyze
from app.analysis import rules as analysis_rules
from app.analysis.rules import CATEGORIES, COMPLAINER_TYPES, FLAGS, HEAT_LABELS, DataFileError
from app.core import datafile
from app.ml import model as text_models
from app.ml import training

DATA = Path(__file__).parent / "data"
SHIPPED = text_models.MODELS_DIR / "en"


def words(result, key: str) -> list[str]:
    return [item.text.lower() for item in result.evidence.get(key, ())]


def test_a_court_threat_and_an_insult_at_an_agent_read_hot_and_aggressive():
    # The named miss: it read low heat (0.18) and constructive.
    text = "I will go to court if this is not fixed. What a horrible agent you gave me."
    result = analyze(text)
    assert result.heat_label in ("medium", "high")
    assert result.complainer_type == "aggressive"
    assert {"legal_threat", "staff"} <= set(result.flags)
    assert "court" in " ".join(words(result, "legal_threat"))
    assert "horrible agent" in words(result, "staff")
    assert any("court" in reason for reason in result.reasons["complainer_type"])


@pytest.mark.parametrize(
    "text",
    [
        "Going to sue you lot over this fridge.",
        "We have instructed a solicitor about the damage to our floor.",
        "Pay the £80 back by Friday or I will take you to the small claims court.",
    ],
)
def test_a_legal_threat_in_other_words_is_flagged_and_reads_as_pressure(text):
    result = analyze(text)
    assert "legal_threat" in result.flags
    assert result.complainer_type == "aggressive"
    assert result.heat_label != "low"


def test_the_ombudsman_named_calmly_is_the_next_step_not_pressure():
    text = (
        "Hello, it is now eight weeks since my complaint about the fee. Please send me a "
        "deadlock letter so that I can refer it to the ombudsman. Thank you."
    )
    result = analyze(text, channel="email")
    assert "legal_threat" in result.flags
    assert result.complainer_type == "constructive"
    assert result.heat_label == "low"


def test_denying_a_lawsuit_is_no_pressure():
    result = analyze("I'm not going to sue or anything, I just want the right price.")
    assert "legal_threat" not in result.flags
    assert result.complainer_type != "aggressive"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("The man on the door waved every white customer in and stopped us.", "white customer"),
        ("Is this how you treat foreigners at your Luton branch?", "treat foreigners"),
        ("The cashier told my nan that people her age should stay at home.", "people her age"),
    ],
)
def test_discrimination_said_plainly_is_flagged_with_its_words(text, word):
    result = analyze(text)
    assert "discrimination" in result.flags
    assert any(word in found for found in words(result, "discrimination"))


@pytest.mark.parametrize(
    "text",
    [
        "The gate woman at Gatwick rolled her eyes and threw my passport back at me.",
        "Your plumber was clueless and left water all over my bathroom.",
        "The girl at the café counter laughed at me when I asked for a receipt.",
        "Worst adviser I have ever had on a phone line.",
    ],
)
def test_staff_named_only_by_their_role_are_flagged(text):
    assert "staff" in analyze(text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Shout out to the delivery guy who carried my sofa upstairs, what a star.",
        "The engineer said the part will arrive on Tuesday.",
    ],
)
def test_staff_praised_or_quoted_plainly_are_not_a_conduct_complaint(text):
    assert "staff" not in analyze(text).flags


@pytest.mark.parametrize(
    "text",
    [
        "Hope your next van crashes into a wall.",
        "Your managers should be put down like the animals they are.",
    ],
)
def test_wished_disaster_and_calls_to_kill_are_harassment(text):
    result = analyze(text)
    assert "harassment" in result.flags
    assert (result.complainer_type, result.heat_label) == ("aggressive", "high")


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("You took my money for a seat I never got.", "billing"),
        ("My card got frozen overnight and nobody can tell me why.", "account"),
        ("A stranger rang me reading out my date of birth.", "personal_data"),
        ("Your driver missed my son by inches when he reversed.", "safety"),
        ("The brakes on the hire van failed on the motorway.", "safety"),
        ("Someone changed my email address on my profile without permission.", "account"),
        ("The accessible entrance was blocked with boxes again.", "discrimination"),
        ("I will make your life hell until you pay.", "harassment"),
    ],
)
def test_flags_said_in_plain_words(text, flag):
    assert flag in analyze(text).flags


def test_a_refund_thanked_for_is_not_a_billing_complaint():
    assert "billing" not in analyze("Thanks for sorting my refund so quickly, great service.").flags


@pytest.mark.parametrize(
    "text",
    [
        "I was on hold and told to press numbers for an hour.",
        "My dad couldn't even go out for his paper because he was waiting in.",
    ],
)
def test_pressing_keys_and_the_morning_paper_are_not_the_press(text):
    assert "media" not in analyze(text).flags


def test_capitals_over_a_flagged_problem_are_shouting():
    result = analyze("there was BLUE PLASTIC in my kids yoghurt. she nearly swallowed it")
    assert "safety" in result.flags
    assert result.complainer_type == "aggressive"
    assert result.heat_label != "low"


def test_a_calm_question_stays_calm():
    result = analyze("@NorthwindHome hi, could you tell me when my order NW-10293 will arrive?")
    assert (result.heat_label, result.complainer_type, result.flags) == (
        "low",
        "constructive",
        (),
    )


def test_anger_the_rules_miss_is_read_by_the_model_and_points_at_its_words():
    text = "offended and pissed off by @BrambleAir, treated like cattle at the gate"
    result = analyze(text)
    assert result.heat_label != "low"
    [reason] = [r for r in result.reasons["heat"] if "trained model" in r]
    assert "“offended”" in reason
    assert "offended" in words(result, "heat")


def test_a_bad_model_input_in_a_rule_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "heat.yaml"
    path.write_text(
        "language: en\nscale: 2\nlabels: {medium: 0.3, high: 0.7}\ncues: {strong: [angry]}\n"
        "calming: {strong: [no rush]}\nshouting: {per_item: 1, at_most: 1}\n"
        "exclamations: {per_item: 1, at_most: 1}\n"
        "model: {name: anger, from: 1.5, weight: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="from: a probability") as error:
        analysis_rules._heat(path)
    assert "heat.yaml:8" in str(error.value)


def test_the_anger_model_card_states_licences_seed_and_that_it_reads_anger():
    card = text_models.load("anger").card
    assert card["training"]["seed"] == training.SEED
    assert all(source["licence"] for source in card["data"])
    assert card["metrics"]["auc"]["emotion_val_anger"] > 0.85
    assert card["metrics"]["auc"]["complaints_odd"] > 0.75


@pytest.mark.parametrize("name", ["analysis_dev_b.yaml", "analysis_holdout_b.yaml"])
def test_the_new_labelled_sets_follow_the_labelling_guide(name):
    rows = datafile.rows(DATA / name)
    prefix = "devb" if "dev" in name else "holdb"
    assert [row["id"] for row in rows] == [f"{prefix}-{n:03d}" for n in range(1, len(rows) + 1)]
    for row in rows:
        assert row["type"] in COMPLAINER_TYPES, row["id"]
        assert row["category"] in CATEGORIES, row["id"]
        assert row["heat"] in HEAT_LABELS, row["id"]
        assert set(row["flags"]) <= set(FLAGS), row["id"]
        assert row["channel"] != "x" or len(row["text"]) <= 280, row["id"]
        assert row["category"] != "staff" or "staff" in row["flags"], row["id"]
        if "harassment" in row["flags"]:
            assert (row["type"], row["heat"]) == ("aggressive", "high"), row["id"]
