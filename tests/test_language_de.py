"""German: what a German-speaking care team sees when a complaint and a reply are in German.

The issue's examples (issue 16): a double charge with a lawyer threatened is read with its
legal threat and billing at medium heat or more; a reply calling the customer an idiot,
contradicting or blaming them, shouting in capitals or "!!!" is flagged; the idioms that
only look bad ("leider", "der Hammer 🔥", a sister who is a lawyer) give no finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app import nlp
from app.analysis import analyze
from app.analysis import rules as analysis_rules
from app.channels import ChannelInfo
from app.drafts.response_templates import load_library
from app.nlp.pipeline import pipeline_for
from app.tone import checker
from app.tone import rules as tone_rules
from app.tone.checks import Contact
from tests.fixtures.replies import DM, FACEBOOK, X, reply_codes

NORTHWIND = Contact(phone="0808 157 0192", email="care@northwind.example")
HARMFUL = {"blame", "non_apology", "dismissive", "argumentative", "hostile", "sarcasm"}

LAWYER = (
    "Sehr geehrte Damen und Herren,\n\n"
    "am 12.03. wurde mir der Betrag von 289,00 € für den Staubsauger zweimal von meinem "
    "Konto abgebucht. Ich habe Sie bereits zweimal angeschrieben, ohne Antwort. Sollte die "
    "doppelte Buchung nicht bis zum 05.04. erstattet sein, werde ich meinen Anwalt "
    "einschalten.\n\nMit freundlichen Grüßen\nJürgen Hadamczik"
)

#: A good reply: thanks, owns it, a way to reach us, a promise to come back. "leider" is
#: ordinary politeness in German, not gloom.
GOOD = (
    "Danke für Ihre Nachricht. Leider hat sich die Lieferung verzögert, das tut uns leid. "
    "Schreiben Sie uns eine DM, dann schauen wir heute noch nach. Wir melden uns bis Freitag."
)


def codes(text: str, channel: ChannelInfo = X, complaint: str | None = None) -> set[str]:
    return reply_codes(
        text, "de", channel=channel, complaint=complaint, contact=NORTHWIND, detected=True
    )


def test_the_lawyer_double_charge_complaint_goes_to_legal_with_its_billing_and_heat():
    reading = analyze(LAWYER, channel="email")
    assert (reading.language, reading.language_supported) == ("de", True)
    assert {"legal_threat", "billing"} <= set(reading.flags)
    assert reading.heat_label in ("medium", "high")
    assert reading.category == "billing"
    assert any("Anwalt" in item.text for item in reading.evidence["legal_threat"])


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        (
            "@KestrelBank jemand hat sich in mein Konto eingeloggt und das Passwort geändert!",
            "account",
        ),
        (
            "Ich habe eine Datenauskunft nach Art. 15 DSGVO angefordert und nichts gehört.",
            "personal_data",
        ),
        (
            "@PollenFoods im Müsliriegel war hartes Plastik, mein Sohn hat sich fast verschluckt.",
            "safety",
        ),
        ("@NorthwindHome mein Blog hat 40k Leser, der nächste Artikel geht über euch.", "media"),
        (
            "Der Fahrer hat mich im Treppenhaus angeschrien und die Waschmaschine unten gelassen.",
            "staff",
        ),
        (
            "Der Typ an der Kasse hat meinem Mann gesagt, er soll erst mal richtig Deutsch lernen.",
            "discrimination",
        ),
        ("@NorthwindHome ihr seid der letzte Abschaum, alle miteinander.", "harassment"),
    ],
)
def test_each_flag_is_found_in_german(text, flag):
    assert flag in analyze(text).flags


@pytest.mark.parametrize(
    ("text", "not_flag"),
    [
        (
            "Der Airfryer ist im Angebot echt der Hammer 🔥 nur kommt meiner nicht über 120 Grad.",
            "safety",
        ),
        ("Meine Schwester ist Anwältin und sogar sie versteht eure AGB nicht 😂", "legal_threat"),
        (
            "@NorthwindHome ich werd euch nicht verklagen, ich will nur endlich meinen Router.",
            "legal_threat",
        ),
        ("@NorthwindHome die Knoblauchpresse ist nach dem ersten Mal durchgebrochen.", "media"),
        ("Die Verspätung bringt mich echt um 😩 4 Stunden am Gate.", "safety"),
        ("Das Ladekabel lädt mein Handy seit einer Woche nicht mehr richtig.", "billing"),
    ],
)
def test_german_idioms_that_only_look_like_a_flag_give_none(text, not_flag):
    assert not_flag not in analyze(text).flags


def test_a_german_phone_number_address_and_card_ending_are_personal_data():
    doc = pipeline_for("de")(
        "Karte mit Endung 4417, Kundennummer 55120874, erreichbar unter 0176 000 04412, "
        "Gartenstraße 14, 34117 Kassel, in der Schweiz 079 000 12 34."
    )
    found = {(ent.label_, ent.text.rstrip(".,")) for ent in doc.ents}
    assert {
        ("card", "4417"),
        ("account_ref", "55120874"),
        ("phone", "0176 000 04412"),
        ("address", "Gartenstraße 14, 34117 Kassel"),
        ("phone", "079 000 12 34"),
    } <= found


def test_a_good_german_reply_with_leider_has_no_finding_at_all():
    assert codes(GOOD) == set()


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("Nur ein Idiot bestellt am Freitag und erwartet Samstag Lieferung.", "hostile"),
        ("Das stimmt so nicht, das steht deutlich in unseren AGB.", "argumentative"),
        ("Sie hätten die Lieferadresse beim Bestellen prüfen müssen.", "blame"),
        ("Es tut uns leid, dass Sie das so empfinden.", "non_apology"),
        ("Beruhigen Sie sich bitte erst einmal.", "dismissive"),
        ("Herzlichen Glückwunsch, Sie haben den einen kaputten Wasserkocher erwischt.", "sarcasm"),
        ("Das wird garantiert nie wieder vorkommen.", "overpromise"),
        ("Wir übernehmen die volle Haftung für den Wasserschaden.", "legal_risk"),
        ("Wir HABEN das Paket verschickt!!!", "shouting"),
    ],
)
def test_a_harmful_german_sentence_in_a_good_reply_is_found(reply, code):
    assert code in codes(f"{GOOD} {reply}")


def test_a_gloomy_german_reply_reads_negative_and_a_polite_leider_does_not():
    gloomy = (
        "Danke für die Nachricht. Leider können wir da gar nichts mehr machen, das Sofa ist "
        "weg, eine wirklich schlimme und traurige Lage. Bei Fragen: 0800 157 0192. Wir melden uns."
    )
    assert "negative_tone" in codes(gloomy)
    assert "negative_tone" not in codes(GOOD)


def test_the_customers_own_words_said_back_and_their_data_in_public_are_flagged():
    complaint = "@NorthwindHome ihr seid so ein unfähiger Saftladen"
    mirrored = f"{GOOD} Schade, dass Sie uns für einen unfähigen Saftladen halten."
    assert "mirrors_anger" in codes(mirrored, complaint=complaint)
    public = f"{GOOD} Wir rufen Sie morgen unter 0176 000 04412 an."
    assert "private_data" in codes(public, channel=FACEBOOK)
    assert "private_data" not in codes(public, channel=DM)
    # The company's free service number is its own, not the customer's data.
    assert "private_data" not in codes(f"{GOOD} Bei Fragen: 0800 157 0192.", channel=FACEBOOK)


def test_every_german_template_shows_its_part_and_no_harmful_wording():
    library = load_library(Path(__file__).resolve().parents[1] / "response_templates")
    values = {
        "company_phone": "0808 157 0192",
        "company_email": "care@northwind.example",
        "faq_url": "https://help.northwind.example/faq",
        "follow_up_when": "bis Freitag",
        "agent_name": "Jana",
        "customer_name": "Alex",
        "handle": "@alex",
        "order_ref": "#NW-48213",
        "claim_ref": "CLM-20931",
        "topic": "die verspätete Lieferung",
        "company_name": "Northwind Home",
    }
    problems = []
    for part in ("validate", "responsibility", "direction", "close_loop"):
        for variant in library.for_part("de", part):
            text = variant.text
            for name, value in values.items():
                text = text.replace("{" + name + "}", value)
            report = checker.check(text, channel=DM, contact=NORTHWIND, language="de")
            if not report.parts[part]["present"] or report.codes() & HARMFUL:
                problems.append(f"{variant.id}: {text}")
    assert problems == []


def test_the_start_up_check_loads_the_german_rules():
    assert "de" in nlp.check_all()
    assert "de" in analysis_rules.check_all()
    tone_rules.check_all()
    assert "de" in tone_rules.languages_with_tone_rules()
    assert tone_rules.tone_rules("de").lexicon == "own"
    assert tone_rules.tone_rules("en").lexicon == "vader"


def test_german_nouns_are_matched_in_any_form():
    """spaCy's German table spells nouns with a capital ("Anwälte" -> "Anwalt"); read in
    lower case like every word, a cue's noun finds its plural and genitive."""
    doc = pipeline_for("de")("Die Anwälte, die Gebühren und die Rechnungen des Fahrers")
    lemmas = {token.text: token.lemma_ for token in doc}
    assert (lemmas["Anwälte"], lemmas["Gebühren"], lemmas["Rechnungen"]) == (
        "anwalt",
        "gebühr",
        "rechnung",
    )
