"""The Dutch and German reply templates: a Dutch or German complaint gets a first draft in
its own language, in one register ("je" / "Sie"), with every slot filled so the sentence
still reads right, short enough for X.

Composure has no Dutch or German analysis rules yet, so the tests set the type and the
flags a reader would give these complaints on the analysis (as an agent's correction would).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

import pytest

from app.analysis import analyze
from app.channels import fit, measure
from app.drafts.builder import Sources, compose, follow_up_phrase
from app.drafts.response_templates import PARTS
from app.settings.company import CompanyDetails
from tests.fixtures.templates import EMAIL, MONDAY, X

COMPANY = CompanyDetails(
    name="Northwind Home",
    phone="020 123 4567",
    email="service@northwind.example",
    faq_url="https://help.northwind.example/faq",
)
LEGAL_THREATS = {
    "nl": "@NorthwindHome Als mijn geld niet binnen 7 dagen terug is, stap ik naar de rechter "
    "en schakel ik een advocaat in. Dit is echt schandalig.",
    "de": "@NorthwindHome Wenn ich mein Geld nicht innerhalb von 7 Tagen zurückbekomme, "
    "schalte ich meinen Anwalt ein. Das ist eine Frechheit.",
}
#: Words only the other register uses: a Dutch draft says "je", a German one "Sie".
OTHER_REGISTER = {
    "nl": re.compile(r"\b(u|uw)\b", re.IGNORECASE),
    "de": re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE),
}
LANGUAGES = ("nl", "de")


def sources(seed: str = "1", now: datetime = MONDAY) -> Sources:
    return Sources(
        company=COMPANY,
        agent_name="Sanne de Vries",
        customer_name="Dev Patel",
        handle="@dev_patel_91",
        now=now,
        timezone="Europe/Amsterdam",
        seed=seed,
    )


def legal_threat(language: str):
    analysis = analyze(LEGAL_THREATS[language], channel="x")
    assert analysis.language == language
    return dataclasses.replace(
        analysis, complainer_type="aggressive", category="billing", flags=("legal_threat",)
    )


def test_the_library_loads_with_dutch_and_german_beside_english(library):
    assert {"en", "nl", "de"} <= set(library.languages)
    for language in LANGUAGES:
        for part in PARTS:
            assert len(library.for_part(language, part)) >= 6, (language, part)
        assert any(variant.offline for variant in library.for_part(language, "direction"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_uses_the_english_company_wordings(library, language):
    """{dm_instruction} is English text in Company details: a Dutch or German reply asks
    for a DM in its own words."""
    texts = [v.text for part in PARTS for v in library.for_part(language, part)]
    texts.append(library.attack[language].holding_reply)
    assert not [text for text in texts if "{dm_instruction}" in text or "{company_name}" in text]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["Bedankt voor je bericht", "zorgvuldig gelezen", "uiterlijk woensdag"]),
        ("de", ["Danke für Ihre Nachricht", "sorgfältig gelesen", "bis Mittwoch"]),
    ],
)
def test_a_legal_threat_on_x_gets_a_draft_in_its_own_language(library, language, expected):
    for seed in ("1", "2", "3"):
        draft = compose(library, legal_threat(language), X, sources(seed))
        assert draft.mode == "reply"
        assert draft.language == language
        assert not [n for n in draft.notices if "no reply templates" in n]
        assert all(f"-{language}-" in choice.variant_id for choice in draft.parts.values())
        # The next step moves the talk to e-mail or a DM, not a debate in public.
        assert draft.parts["direction"].offline
        for words in expected:
            assert words in draft.text, (seed, draft.text)
        assert "{" not in draft.text
        assert "[[" not in draft.text
        assert measure(draft.text, X) <= 280
        assert fit(draft.text, X).fits
        assert not OTHER_REGISTER[language].search(draft.text), draft.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_e_mail_reply_keeps_the_register_and_is_signed(library, language):
    analysis = dataclasses.replace(
        legal_threat(language), complainer_type="aggressive", category="delivery", flags=()
    )
    draft = compose(library, analysis, EMAIL, sources())
    assert draft.language == language
    assert "{" not in draft.text
    assert "[[" not in draft.text
    assert not OTHER_REGISTER[language].search(draft.text), draft.text
    assert "Sanne" in draft.text


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("nl", 1, "morgen"),
        ("nl", 3, "uiterlijk donderdag"),
        ("nl", 10, "uiterlijk 7 december"),
        ("de", 1, "morgen"),
        ("de", 3, "bis Donnerstag"),
        ("de", 10, "bis zum 7. Dezember"),
    ],
)
def test_the_follow_up_day_reads_in_the_replys_language(library, language, days, expected):
    assert follow_up_phrase(MONDAY, days, "Europe/Amsterdam", library.dates[language]) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_follow_up_day_never_starts_a_sentence(library, language):
    """ "morgen", "uiterlijk donderdag", "bis zum 4. Dezember" are written in lower case (the
    German weekday aside): each sits inside a sentence, where all three forms read right."""
    for part in PARTS:
        for variant in library.for_part(language, part):
            assert not re.search(r"(^|[.!?]\s+)\{follow_up_when\}", variant.text), variant.id


def test_german_topics_sit_where_the_accusative_is_asked_for(library):
    """Every German {topic} is an accusative ("Danke für Ihren Hinweis auf das Problem mit
    Ihrer Lieferung"): never after a preposition that takes the dative or genitive."""
    for part in PARTS:
        for variant in library.for_part("de", part):
            assert not re.search(r"\b(mit|zu|von|wegen|bei|aus|nach)\s+\{topic\}", variant.text)


@pytest.mark.parametrize(("language", "words"), [("nl", "privébericht"), ("de", "Direktnachricht")])
def test_an_attack_gets_the_holding_reply_in_its_language(library, language, words):
    analysis = dataclasses.replace(legal_threat(language), flags=("harassment",))
    draft = compose(library, analysis, X, sources())
    assert draft.mode == "attack"
    assert draft.language == language
    assert words in draft.text
    assert "{" not in draft.text
    assert "[[" not in draft.text
    assert draft.guidance is not None
    assert len(draft.guidance.steps) >= 5
