"""Polish, end to end, as a care team in Poland sees it: a complaint read with its flags,
type and heat; a reply checked in Polish, its idioms left alone; the rules loaded at
start-up. Texts are new (not rows of tests/data/pl/, which measure the rules)."""

from __future__ import annotations

import shutil

import pytest

from app import nlp
from app.analysis import rules as analysis_rules
from app.analysis.analyzer import analyze
from app.channels import ChannelInfo
from app.core.datafile import DataFileError
from app.tone import rules as tone_rules
from app.tone.checks import Contact
from tests.fixtures.replies import EMAIL, FACEBOOK, X, reply_codes

HARMFUL = {"blame", "non_apology", "dismissive", "argumentative", "hostile", "sarcasm"}
NORTHWIND = Contact(phone="0808 157 0192", email="care@northwind.example")


def codes(text: str, channel: ChannelInfo = FACEBOOK, complaint: str | None = None) -> set[str]:
    return reply_codes(
        text, "pl", channel=channel, complaint=complaint, contact=NORTHWIND, detected=True
    )


GOOD = (
    "Dziękujemy za wiadomość i przepraszamy, że paczka wciąż nie dotarła – to nasz błąd. "
    "Napisz do nas w wiadomości prywatnej, a wyślemy nową jeszcze dziś. Odezwiemy się jutro."
)


def test_the_lawyer_double_charge_complaint_goes_to_legal_as_billing():
    result = analyze(
        "Dzień dobry, pobraliście mi dwa razy 249 zł za ten sam odkurzacz (zamówienie "
        "NW-50112). Jeżeli pieniądze nie wrócą do piątku, sprawą zajmie się mój prawnik.",
        channel="email",
    )
    assert result.language == "pl"
    assert result.language_supported
    assert {"legal_threat", "billing"} <= set(result.flags)
    assert result.heat_label in ("medium", "high")
    assert result.complainer_type == "aggressive"


@pytest.mark.parametrize(
    "threat",
    [
        "Pozwę was, jeśli nie oddacie pieniędzy.",
        "Przekazałem sprawę mojemu prawnikowi.",
        "Widzimy się w sądzie.",
        "Złożyłam skargę do UOKiK.",
        "Piszę do Rzecznika Finansowego.",
    ],
)
def test_a_legal_threat_is_found_in_any_inflected_form(threat):
    assert "legal_threat" in analyze(f"@KestrelBank {threat} Zgłoszenie RK-44021.").flags


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Prasa do czosnku pękła po tygodniu, szkoda. @NorthwindHome", "media"),
        ("Sądząc po opiniach, ten czajnik po prostu tak ma. Cieknie od spodu.", "legal_threat"),
        ("Ten mikser to porażka, ostrze się poluzowało. @NorthwindHome", "safety"),
        ("Ta promka na słuchawki jest zabójcza 😍 tylko lewa nie gra. @NorthwindHome", "safety"),
        ("Na koncie mam już trzy nieudane dostawy, serio. @NorthwindHome", "account"),
    ],
)
def test_polish_idioms_that_look_like_a_flag_raise_none(text, flag):
    assert flag not in analyze(text).flags


def test_an_electric_shock_and_a_burn_are_safety_in_their_inflected_forms():
    assert "safety" in analyze("Lampka poraziła mnie prądem przy włączaniu.").flags
    assert "safety" in analyze("Grzejnik przypalił synowi rękę, byliśmy na SOR-ze.").flags


def test_capitals_and_a_run_of_exclamation_marks_are_shouting():
    found = codes(
        "Dziękujemy za wiadomość. Paczka ZOSTAŁA wysłana!!! Przepraszamy za zwłokę. "
        "Napisz do nas w wiadomości prywatnej. Odezwiemy się jutro."
    )
    assert "shouting" in found
    # Acronyms and codes are not: BLIK, SMS, DM.
    assert "shouting" not in codes(
        "Dziękujemy za zgłoszenie! Przepraszamy za kłopot z BLIK-iem i kodem SMS. Napisz do "
        "nas w DM, sprawdzimy płatność. Odezwiemy się jutro."
    )


def test_a_reply_calling_the_customer_an_idiot_is_hostile():
    found = codes(
        "Może najpierw naucz się czytać, idioto. Napisz do nas w wiadomości prywatnej.",
        channel=X,
        complaint="@NorthwindHome gdzie moja paczka?",
    )
    assert "hostile" in found


def test_contradiction_blame_and_a_non_apology_are_found():
    assert "argumentative" in codes(
        "Dziękujemy za wiadomość, ale to nieprawda – kurier był pod adresem o 9:00. "
        "Przepraszamy za kłopot. Napisz do nas w wiadomości prywatnej. Odezwiemy się jutro."
    )
    assert "blame" in codes(
        "Rozumiemy kłopot i przepraszamy. Trzeba było jednak sprawdzić adres przed zakupem. "
        "Napisz do nas w wiadomości prywatnej. Odezwiemy się jutro."
    )
    assert "non_apology" in codes(
        "Dziękujemy za wiadomość. Przykro nam, że tak to odbierasz. Napisz do nas w "
        "wiadomości prywatnej. Odezwiemy się jutro."
    )
    assert "non_apology" in codes(
        "Dziękujemy za cierpliwość. Przepraszamy za ewentualne niedogodności. Zadzwoń pod "
        "0808 157 0192. Odezwiemy się jutro."
    )


@pytest.mark.parametrize(
    "reply",
    [
        GOOD,
        # "Niestety" is like German "leider": no negativity in a reply that helps.
        "Dziękujemy za zgłoszenie. Niestety paczka utknęła w sortowni – przepraszamy, to "
        "nasz kłopot. Napisz do nas w wiadomości prywatnej, wyślemy nową. Odezwiemy się jutro.",
        # "Oczywiście" is a warm "of course", not condescension.
        "Oczywiście, chętnie pomożemy! Dziękujemy za wiadomość i przepraszamy za kłopot z "
        "logowaniem. Napisz do nas w wiadomości prywatnej. Odezwiemy się dziś.",
        # "Przepraszamy za utrudnienia" is a sincere apology for an outage.
        "Rozumiemy, że to bardzo przeszkadza. Przepraszamy za utrudnienia – technicy są już "
        "na miejscu. Informacje: https://help.northwind.example/faq. Damy znać, gdy wróci.",
    ],
)
def test_idioms_that_only_look_bad_give_no_finding(reply):
    found = codes(reply, channel=X)
    assert not found & HARMFUL
    assert "negative_tone" not in found
    assert not {c for c in found if c.startswith("missing_")}


def test_a_defeatist_polish_reply_reads_negative():
    assert "negative_tone" in codes(
        "Niestety nic nie możemy zrobić. Ta sytuacja jest beznadziejna i nie mamy na nią "
        "wpływu. Napisz w wiadomości prywatnej. Odezwiemy się jutro."
    )


def test_polish_personal_data_is_kept_out_of_a_public_reply():
    for detail in ("22 123 45 67", "ul. Lipowa 7/2, 00-950 Warszawa", "zamówienie NW-48213"):
        reply = (
            f"Dziękujemy i przepraszamy za opóźnienie. Sprawdzimy {detail}. Napisz do nas w "
            "wiadomości prywatnej. Odezwiemy się jutro."
        )
        assert "private_data" in codes(reply, channel=X), detail
        assert "private_data" not in codes(reply, channel=EMAIL), detail
    # The company's own line is never the customer's data.
    assert "private_data" not in codes(GOOD.replace("w wiadomości prywatnej", "pod 0808 157 0192"))


def test_reading_ease_is_judged_on_the_polish_scale():
    assert "hard_to_read" not in codes(
        "Dziękujemy za wiadomość i przepraszamy za kłopot z fakturą. Opłata za router "
        "została naliczona błędnie. Wystawimy korektę i zwrócimy pieniądze. Korekta przyjdzie "
        "mailem w ciągu trzech dni. Odezwiemy się w piątek.",
        channel=EMAIL,
    )
    assert "hard_to_read" in codes(
        "Dziękujemy za kontakt i przepraszamy. Uprzejmie informujemy, iż zgodnie z "
        "postanowieniami niniejszego regulaminu świadczenia usług telekomunikacyjnych "
        "reklamacja podlega rozpatrzeniu w terminie trzydziestodniowym liczonym od dnia jej "
        "wpływu do przedsiębiorcy telekomunikacyjnego, przy czym w przypadku konieczności "
        "przeprowadzenia dodatkowego postępowania wyjaśniającego termin ten może ulec "
        "odpowiedniemu przedłużeniu. Prosimy o telefon pod 0808 157 0192. Odezwiemy się do "
        "piątku.",
        channel=EMAIL,
    )


def test_the_start_up_check_loads_the_polish_rules():
    assert "pl" in nlp.check_all()
    assert "pl" in analysis_rules.check_all()
    tone_rules.check_all()
    assert tone_rules.tone_rules("pl").readability_offset < 0
    assert tone_rules.tone_rules("en").readability_offset == 0


def test_a_reading_ease_offset_that_is_no_number_is_refused_with_its_line(tmp_path, monkeypatch):
    folder = tmp_path / "pl"
    shutil.copytree(tone_rules.RULES_DIR / "pl", folder)
    context = folder / "context.yaml"
    context.write_text(
        context.read_text(encoding="utf-8").replace("ease_offset: -65", "ease_offset: dużo"),
        encoding="utf-8",
    )
    monkeypatch.setattr(tone_rules, "RULES_DIR", tmp_path)
    tone_rules.tone_rules.cache_clear()
    try:
        with pytest.raises(DataFileError, match="context.yaml:\\d+"):
            tone_rules.tone_rules("pl")
    finally:
        tone_rules.tone_rules.cache_clear()
