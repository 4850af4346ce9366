"""Which language a text is in: each of the six languages Composure knows is recognised on
short real-world text (Latvian included, which used to read as English), and a language it
does not know is named rather than read as the nearest one it knows."""

from __future__ import annotations

import pytest

from app.analysis import analyze
from app.nlp.detection import detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Labdien, mans pasūtījums joprojām nav atnācis un neviens neatbild.", "lv"),
        (
            "Nauda noņemta divreiz, rakstīšu savam juristam, ja līdz piektdienai netiks atgriezta",
            "lv",
        ),
        ("Mijn pakket is weer niet bezorgd, wat een puinhoop", "nl"),
        ("Zweimal abgebucht und niemand antwortet, ich schalte meinen Anwalt ein", "de"),
        ("Me habéis cobrado dos veces y nadie contesta, hablaré con mi abogado", "es"),
        ("Pobrano mi dwa razy opłatę i nikt nie odpowiada, sprawę przekażę prawnikowi", "pl"),
        ("charged twice and still no answer from anyone, my lawyer will hear about this", "en"),
    ],
)
def test_each_known_language_is_recognised_in_a_tweet_sized_complaint(text, language):
    assert detect(text).language == language


@pytest.mark.parametrize(
    ("text", "language", "name"),
    [
        ("Sveiki, mano užsakymas vis dar neatkeliavo ir niekas neatsako.", "lt", "Lithuanian"),
        ("Bonjour, ma commande n'est jamais arrivée et personne ne me répond.", "fr", "French"),
        ("Tere, minu tellimus pole ikka veel kohale jõudnud ja keegi ei vasta.", "et", "Estonian"),
    ],
)
def test_a_language_composure_does_not_know_is_named_not_forced_into_one_it_knows(
    text, language, name
):
    """Lithuanian is close to Latvian, and French was once read as the nearest language the
    rules know; each is named, and the reading says it has no rules for it."""
    assert detect(text).language == language
    result = analyze(text)
    assert result.language == language
    assert result.language_supported is False
    assert any(f"no analysis rules for {name}" in notice for notice in result.notices)


def test_a_latvian_complaint_is_not_read_as_english():
    """Read as Latvian, with the Latvian rules (tests/test_language_lv.py)."""
    result = analyze("Sveiki! Mans pasūtījums nav atnācis jau trīs nedēļas, un neviens neatbild.")
    assert result.language == "lv"
    assert result.language_supported is True
    assert not any("no analysis rules" in notice for notice in result.notices)


# --- personal data in the formats of every market ------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Zadzwońcie pod 22 123 45 67, proszę.", "phone", "22 123 45 67"),
        ("Mój numer: +48 512 345 678", "phone", "+48 512 345 678"),
        ("Llamadme al 612 34 56 78 por favor", "phone", "612 34 56 78"),
        ("Mans tālrunis ir 26 123 456.", "phone", "26 123 456"),
        ("Zvaniet: +371 26123456", "phone", "+371 26123456"),
        ("Bel me op 06-12345678 aub", "phone", "06-12345678"),
        ("Ruf mich an: +4915123456789", "phone", "+4915123456789"),
        ("Mi DNI es 12345678Z y el NIE de mi mujer X1234567L", "national_id", "12345678Z"),
        ("Personas kods 120389-12345, lūdzu pārbaudiet", "national_id", "120389-12345"),
        ("Mój PESEL: 44051401359", "national_id", "44051401359"),
        ("Mijn BSN is 123456782", "national_id", "123456782"),
        (
            "Bitte an IBAN DE89 3704 0044 0532 0130 00 erstatten",
            "account_ref",
            "DE89 3704 0044 0532 0130 00",
        ),
    ],
)
def test_personal_data_is_found_in_each_markets_own_format(text, kind, value):
    """A Polish phone number once went unnoticed because only UK and US formats were known."""
    found = [(entity.kind, entity.text) for entity in analyze(text).entities]
    assert (kind, value) in found
    assert "personal_data" in analyze(text).flags


def test_a_markets_phone_number_in_a_public_reply_is_blocked():
    from app.channels import ChannelInfo, LengthCounting
    from app.tone import checker

    x = ChannelInfo("x", "X", True, 280, True, LengthCounting.X_WEIGHTED)
    report = checker.check(
        "Sorry for the wait. We'll call you on 22 123 45 67 today.", channel=x, four_parts=False
    )
    assert [report.text[f.start : f.end] for f in report.findings if f.code == "private_data"] == [
        "22 123 45 67"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The 2-in-1 costs 1 299 EUR and the 12 month plan 24 99 a month",
        "Tracking says 15.01.2024 12:30, then nothing",
        "Invoice 2024-0117 for 3 items",
    ],
)
def test_amounts_dates_and_invoice_numbers_are_not_phone_numbers(text):
    assert [e.text for e in analyze(text).entities if e.kind in ("phone", "national_id")] == []


# --- a reply is checked in its own language, not the complaint's ----------------------------


def _editor_check(complaint_language: str, parts: dict[str, str]):
    from app.channels import ChannelInfo, LengthCounting
    from app.drafts.composer import ToneSetting
    from app.tone.checks import ComplaintContext, Contact
    from app.tone.policy import TonePolicy

    setting = ToneSetting(
        channel=ChannelInfo("x", "X", True, 280, True, LengthCounting.X_WEIGHTED),
        complaint=ComplaintContext(text="…", language=complaint_language, flags=()),
        policy=TonePolicy(),
        contact=Contact(),
    )
    return setting.check_parts(parts)


def test_an_english_reply_to_a_dutch_complaint_is_checked_as_english():
    """It once got no tone check at all: the language was taken from the complaint."""
    report = _editor_check(
        "nl",
        {"validate": "Calm down, you should have read the delivery terms before ordering."},
    )
    assert report.language == "en"
    codes = {finding.code for finding in report.findings}
    assert {"dismissive", "blame"} <= codes


def test_a_dutch_reply_to_an_english_complaint_is_checked_as_dutch():
    """Once Dutch had no tone rules and the reply said so; now the Dutch rules read it."""
    report = _editor_check(
        "en",
        {
            "validate": "Rustig aan, je had de bezorgvoorwaarden moeten lezen.",
            "direction": "Stuur je ons een DM met je bestelnummer? Dan zoeken we het meteen uit.",
        },
    )
    assert report.language == "nl"
    assert not any("this reply reads as Dutch" in notice for notice in report.notices)
    codes = {finding.code for finding in report.findings}
    assert {"dismissive", "blame"} <= codes


def test_a_reply_too_short_to_tell_is_checked_in_the_complaints_language():
    assert _editor_check("en", {"validate": "Sorry!"}).language == "en"
