"""The reply templates in Spanish (Spain) and Polish: they load, cover every case, keep one
register per draft, and build drafts in the complaint's language that fit X."""

from __future__ import annotations

import functools
import re
from dataclasses import replace

import pytest

from app.analysis import analyze
from app.analysis.rules import CATEGORIES, COMPLAINER_TYPES, FLAGS
from app.channels import fit, measure
from app.drafts.builder import Sources, compose, follow_up_phrase
from app.drafts.response_templates import PARTS
from app.settings.company import CompanyDetails
from tests.fixtures.templates import EMAIL, MONDAY, X, draft_sources

COMPANY = CompanyDetails(
    name="Northwind Home",
    phone="912 345 678",
    email="ayuda@northwind.example",
    faq_url="https://ayuda.northwind.example/faq",
)
LANGUAGES = ("es", "pl")
COMPLAINTS = {
    "es": "Llevo tres semanas esperando el pedido y nadie me contesta. Hablaré con mi abogado.",
    "pl": "Czekam trzy tygodnie na zamówienie i nikt nie odpowiada. Sprawę przekażę prawnikowi.",
}
#: Words that address the customer as "tú"/"Ty" (public) or as "usted"/"Państwo" (private).
#: A variant that may go out on a channel must not use the other channel's register.
PUBLIC_ONLY = {
    "es": r"\b(te|ti|tu|tus|contigo|escríbenos|llámanos|avísanos|cuentas|das|haces|puedas|tienes"
    r"|confirmes|vayas|tomarte|ayudarte|funcionarte|contactarte)\b",
    "pl": r"\b(Ty|Cię|Ci|Twoj\w*|Twój|napisz|napiszesz|zadzwoń|daj|piszesz|poświęcasz|chcesz)\b",
}
PRIVATE_ONLY = {
    "es": r"\b(usted|le|su|sus|llámenos|escríbanos|respóndanos|respóndame|díganoslo|avíseme"
    r"|tomarse|ayudarle|funcionarle|suya|confirme)\b",
    "pl": r"\bPaństw\w*",
}
#: The builder takes points off for two apologies only in English ("sorry"), so in these
#: languages "Validate" never apologises: the apology is "Take responsibility"'s.
APOLOGY = {
    "es": r"\b(sentimos|siento|disculp\w*|perdón|perdona\w*|lamentamos)\b",
    "pl": r"\b(przepraszam\w*|przykro|wybacz\w*)\b",
}
#: {topic} is one phrase per category, so every slot must take the same grammar: in Spanish
#: it starts "lo …" and follows these words; in Polish it is a genitive after these.
TOPIC_SLOTS = {
    "es": {"de", "mucho", "sobre", "contarnos", "conocer", "por"},
    "pl": {"zgłoszenie", "powodu", "dotyczące", "wyjaśnieniu"},
}


def sources(**overrides) -> Sources:
    return draft_sources(
        COMPANY,
        **(
            {
                "agent_name": "Lucía",
                "customer_name": "Marta",
                "handle": "@marta_g",
                "now": MONDAY,
                "timezone": "Europe/Madrid",
                "seed": "1",
            }
            | overrides
        ),
    )


@functools.cache
def complaint_analysis(language: str):
    """The language's complaint analysed once: the cases only change its type, category
    and flags (the every-case test would analyse it 378 times)."""
    return analyze(COMPLAINTS[language])


def case_analysis(language: str, kind: str, category: str, flags: tuple[str, ...]):
    analysis = complaint_analysis(language)
    assert analysis.language == language
    return replace(analysis, complainer_type=kind, category=category, flags=flags)


def test_the_library_loads_with_spanish_and_polish_and_their_own_ids(library):
    assert {"en", "es", "pl"} <= set(library.languages)
    for language in LANGUAGES:
        for part in PARTS:
            variants = library.for_part(language, part)
            assert len(variants) >= 10, (language, part)
            prefix = f"{part.replace('_', '-')}-{language}-"
            assert all(variant.id.startswith(prefix) for variant in variants)
            assert all("dm_instruction" not in variant.placeholders for variant in variants)
        assert "dm_instruction" not in library.attack[language].holding_reply
        assert any(v.offline for v in library.for_part(language, "direction"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_variant_never_speaks_in_the_other_channels_register(library, language):
    wrong = []
    for part in PARTS:
        for variant in library.for_part(language, part):
            allowed = variant.requires.visibility or {"public", "private"}
            if "private" in allowed and re.search(PUBLIC_ONLY[language], variant.text):
                wrong.append((variant.id, "informal words on a private channel"))
            if "public" in allowed and re.search(PRIVATE_ONLY[language], variant.text):
                wrong.append((variant.id, "formal words on a public channel"))
    for topic in library.topics[language].values():
        assert not re.search(PUBLIC_ONLY[language], topic)
        assert not re.search(PRIVATE_ONLY[language], topic)
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_validate_thanks_without_apologising_so_a_draft_never_apologises_twice(library, language):
    apologising = [
        variant.id
        for variant in library.for_part(language, "validate")
        if re.search(APOLOGY[language], variant.text, re.IGNORECASE)
    ]
    assert apologising == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_topic_always_sits_where_its_grammar_fits(library, language):
    for part in PARTS:
        for variant in library.for_part(language, part):
            for match in re.finditer(r"(\w+) \{topic\}", variant.text):
                assert match.group(1) in TOPIC_SLOTS[language], (variant.id, match.group(0))
    if language == "es":
        assert all(topic.startswith("lo ") for topic in library.topics["es"].values())


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("es", 1, "mañana"),
        ("es", 3, "como muy tarde el jueves"),
        ("es", 10, "como muy tarde el 7 de diciembre"),
        ("pl", 1, "jutro"),
        ("pl", 3, "do czwartku"),
        ("pl", 10, "do 7 grudnia"),
    ],
)
def test_the_follow_up_day_reads_right_in_each_language(library, language, days, expected):
    assert follow_up_phrase(MONDAY, days, "Europe/Madrid", library.dates[language]) == expected


def test_a_spanish_legal_threat_on_x_gets_a_spanish_draft_that_fits(library):
    analysis = case_analysis("es", "aggressive", "delivery", ("legal_threat",))
    result = compose(library, analysis, X, sources())
    assert result.mode == "reply"
    assert result.language == "es"
    assert list(result.parts) == list(PARTS)
    assert "Gracias" in result.text
    assert "como muy tarde el miércoles" in result.text
    assert "ayuda@northwind.example" in result.text
    assert "{" not in result.text
    assert "[[" not in result.text
    assert fit(result.text, X).fits
    assert measure(result.text, X) <= 280
    # Tú on X, and nothing that admits liability.
    assert not re.search(PRIVATE_ONLY["es"], result.text)
    assert not re.search(r"culpa|indemniz", result.text, re.IGNORECASE)


def test_a_polish_legal_threat_on_x_gets_a_polish_draft_that_fits(library):
    analysis = case_analysis("pl", "aggressive", "delivery", ("legal_threat",))
    result = compose(library, analysis, X, sources(agent_name="Kasia", timezone="Europe/Warsaw"))
    assert result.mode == "reply"
    assert result.language == "pl"
    assert list(result.parts) == list(PARTS)
    assert "Dziękujemy" in result.text
    assert "do środy" in result.text
    assert "{" not in result.text
    assert "[[" not in result.text
    assert fit(result.text, X).fits
    assert measure(result.text, X) <= 280
    assert not re.search(r"wina|winni|odszkodowa", result.text, re.IGNORECASE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_case_gets_a_complete_draft_that_fits_x_and_one_for_e_mail(library, language):
    problems = []
    for kind in COMPLAINER_TYPES:
        for category in CATEGORIES:
            for flag in [None, *FLAGS]:
                if flag == "harassment":
                    continue
                analysis = case_analysis(language, kind, category, tuple({flag} - {None}))
                for channel in (X, EMAIL):
                    result = compose(library, analysis, channel, sources(seed=kind + category))
                    where = (kind, category, flag, channel.key)
                    if result.language != language or len(result.parts) != 4:
                        problems.append((where, "not a four-part draft in its language"))
                    if "{" in result.text or result.unfilled:
                        problems.append((where, result.text))
                    if channel is X and not result.fits:
                        problems.append((where, f"{result.length} > 280"))
    assert problems == []


@pytest.mark.parametrize(
    ("language", "words"),
    [("es", "Hemos visto el mensaje"), ("pl", "przekazaliśmy go do odpowiedniego zespołu")],
)
def test_an_attack_gets_a_neutral_holding_line_in_the_complaints_language(library, language, words):
    analysis = case_analysis(language, "aggressive", "other", ("harassment",))
    result = compose(library, analysis, X, sources())
    assert result.mode == "attack"
    assert words in result.text
    assert not re.search(APOLOGY[language], result.text, re.IGNORECASE)
    assert result.guidance is not None
    assert len(result.guidance.steps) == 7
