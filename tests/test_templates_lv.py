"""The Latvian reply templates (response_templates/lv): they load, cover every case the
English ones do, and compose Latvian drafts that read right in every slot."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from app.analysis import analyze
from app.analysis.rules import CATEGORIES, COMPLAINER_TYPES
from app.channels import fit, measure
from app.drafts.builder import Sources, compose, follow_up_phrase
from app.drafts.response_templates import PARTS
from app.settings.company import CompanyDetails
from tests.fixtures.templates import EMAIL, MONDAY, X, draft_sources

COMPANY = CompanyDetails(
    name="Ziemeļvējš",
    phone="+371 6700 0000",
    email="klienti@ziemelvejs.example",
    faq_url="https://ziemelvejs.example/palidziba/biezak-uzdotie-jautajumi",
    # What Company details hold today: English. Latvian drafts must not use it.
    dm_instruction="send us a DM with your order number",
)
LEGAL_THREAT = (
    "@Ziemelvejs Jau trīs nedēļas gaidu pasūtījumu, nauda noņemta, neviens neatbild. "
    "Ja rīt nebūs atbildes, vēršos pie jurista un PTAC!"
)


def sources(**overrides) -> Sources:
    return draft_sources(
        COMPANY,
        **(
            {
                "agent_name": "Līga Ozola",
                "customer_name": "Jānis Bērziņš",
                "handle": "@janis_b",
                "now": MONDAY,
                "timezone": "Europe/Riga",
                "seed": "1",
            }
            | overrides
        ),
    )


def latvian(text: str, **changes):
    """A Latvian complaint, with the type, category and flags a case needs (the analysis
    rules read English only, so the case is set here)."""
    analysis = analyze(text, channel="x")
    assert analysis.language == "lv"
    return replace(analysis, **changes)


def test_the_library_loads_with_latvian_beside_english(library):
    assert {"en", "lv"} <= set(library.languages)
    for part in PARTS:
        variants = library.for_part("lv", part)
        assert len(variants) >= len(library.for_part("en", part)), part
        prefix = "close-loop" if part == "close_loop" else part
        assert all(v.id.startswith(f"{prefix}-lv-") for v in variants)
    assert any(v.offline for v in library.for_part("lv", "direction"))
    assert set(library.topics["lv"]) == set(CATEGORIES)


def test_latvian_texts_avoid_the_english_and_nominative_placeholders(library):
    """{dm_instruction} is English text in Company details, and {customer_name} is a
    nominative where Latvian would address someone in the vocative: neither is used."""
    texts = [v.text for part in PARTS for v in library.for_part("lv", part)]
    texts.append(library.attack["lv"].holding_reply)
    for text in texts:
        assert "{dm_instruction}" not in text, text
        assert "{customer_name}" not in text, text


def test_the_topic_always_follows_par_and_the_follow_up_day_never_opens_a_sentence(library):
    """The topic phrases are written to complete "par …"; the day ("rīt", "līdz …") starts
    with a small letter, so it never begins a sentence."""
    for part in PARTS:
        for variant in library.for_part("lv", part):
            for match in re.finditer(r"\{topic\}", variant.text):
                assert variant.text[: match.start()].endswith("par "), variant.id
            for match in re.finditer(r"\{follow_up_when\}", variant.text):
                before = variant.text[: match.start()].rstrip()
                assert before, variant.id
                assert before[-1] not in ".!?–", variant.id


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, "rīt"), (2, "līdz trešdienai"), (4, "līdz piektdienai"), (10, "līdz 7. decembrim")],
)
def test_the_follow_up_day_is_said_in_latvian(library, days, expected):
    assert follow_up_phrase(MONDAY, days, "Europe/Riga", library.dates["lv"]) == expected


def test_a_latvian_legal_threat_on_x_gets_a_latvian_draft_that_fits_and_admits_nothing(library):
    analysis = latvian(
        LEGAL_THREAT, complainer_type="aggressive", category="delivery", flags=("legal_threat",)
    )
    result = compose(library, analysis, X, sources())
    assert result.mode == "reply"
    assert result.language == "lv"
    assert list(result.parts) == list(PARTS)
    text = result.text
    assert "Paldies" in text
    assert "Jums" in text
    assert "līdz trešdienai" in result.parts["close_loop"].text
    assert "{" not in text
    assert "[[" not in text
    assert result.unfilled == []
    assert fit(text, X).fits
    assert measure(text, X) <= 280
    # No admission of fault while a lawyer is mentioned, and nothing in English.
    assert "kļūd" not in text.lower()
    assert "send us" not in text
    assert "DM" not in text
    assert not any("no reply templates" in notice for notice in result.notices)


@pytest.mark.parametrize("kind", COMPLAINER_TYPES)
def test_each_type_gets_a_latvian_draft_on_x_and_by_e_mail(library, kind):
    analysis = latvian(
        "Pasūtīju tējkannu pirms divām nedēļām, bet tā joprojām nav atvesta.",
        complainer_type=kind,
        category="delivery",
        flags=(),
    )
    for channel in (X, EMAIL):
        tomorrow = replace(COMPANY, follow_up_days=1)
        result = compose(library, analysis, channel, sources(company=tomorrow))
        assert result.language == "lv"
        assert all("-lv-" in choice.variant_id for choice in result.parts.values())
        assert "{" not in result.text
        assert "[[" not in result.text
        assert result.fits
        assert " rīt" in result.parts["close_loop"].text
        assert "Jūs" in result.text or "Jums" in result.text


def test_a_latvian_billing_complaint_in_public_goes_private_in_latvian(library):
    analysis = latvian(
        "Rēķinā divreiz iekasēta maksa, kāpēc?! Jau trešo reizi rakstu.",
        complainer_type="aggressive",
        category="billing",
        flags=("billing",),
    )
    result = compose(library, analysis, X, sources())
    assert result.parts["direction"].offline
    assert "privātā ziņā" in result.text or "pa tālruni" in result.text
    assert result.fits


def test_a_latvian_attack_gets_the_latvian_holding_reply(library):
    analysis = latvian(
        "Jūs esat krāpnieki un zagļi, lai jūsu veikals nodeg!",
        flags=("harassment",),
    )
    result = compose(library, analysis, X, sources())
    assert result.mode == "attack"
    assert "privātā ziņā" in result.text
    assert "atvainoj" not in result.text.lower()
    assert "PR" in " ".join(result.guidance.steps)
