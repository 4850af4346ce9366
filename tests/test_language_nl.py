"""Dutch, end to end as a user sees it: the issue's complaint (a double charge and a lawyer)
is read with its legal threat, billing and heat; a reply calling the customer an idiot,
contradicting or blaming them, shouting, is found; the Dutch idioms that only look bad
("helaas", "rekening houden met", a bottle of "advocaat") give no finding; and the rules
pass the start-up check. The labelled sets behind the rules are tests/data/nl/."""

from __future__ import annotations

import shutil

import pytest

from app.analysis import analyze
from app.analysis import rules as analysis_rules
from app.channels import ChannelInfo
from app.core.datafile import DataFileError
from app.tone import rules as tone_rules
from app.tone.checks import Contact
from tests.fixtures.replies import DM, FACEBOOK, X, reply_codes

NORTHWIND = Contact(phone="0800 020 0192", email="klantenservice@northwind.example")

LAWYER = (
    "Geachte heer/mevrouw,\n\nOp 3 maart is er twee keer € 189,00 van mijn rekening "
    "afgeschreven voor één bestelling (NW-50317). Ik heb twee keer gebeld en er werd beloofd "
    "dat het binnen vijf werkdagen zou worden teruggestort. Dat is niet gebeurd. Als het "
    "dubbele bedrag niet uiterlijk vrijdag op mijn rekening staat, geef ik de zaak in handen "
    "van mijn advocaat.\n\nMet vriendelijke groet,\nR. van Leeuwen"
)
GOOD = (
    "Sorry dat je zo lang moet wachten op je terugbetaling, dat had niet gehoeven. "
    "Stuur ons een DM met je ordernummer, dan zetten we het vandaag door. "
    "Morgen hoor je van ons."
)


def codes(text: str, channel: ChannelInfo = X, complaint: str | None = None) -> set[str]:
    return reply_codes(
        text, "nl", channel=channel, complaint=complaint, contact=NORTHWIND, detected=True
    )


def test_the_lawyer_double_charge_complaint_is_read_with_its_threat_and_its_money():
    reading = analyze(LAWYER, channel="email")
    assert reading.language == "nl"
    assert reading.language_supported
    assert {"legal_threat", "billing"} <= set(reading.flags)
    assert reading.heat_label in ("medium", "high")
    assert reading.complainer_type == "aggressive"
    assert "advocaat" in " ".join(e.text for e in reading.evidence["legal_threat"]).lower()


def test_a_calm_regulator_step_is_a_legal_threat_but_stays_constructive():
    reading = analyze(
        "Geachte Kestrel Bank, sinds januari worden er maandelijks € 7,50 servicekosten "
        "afgeschreven die niet in mijn contract staan. Ik verzoek u deze terug te betalen. "
        "Mocht ik binnen acht weken geen antwoord hebben, dan leg ik de klacht voor aan "
        "het Kifid. Met vriendelijke groet, M. Oosterhuis",
        channel="email",
    )
    assert {"legal_threat", "billing"} <= set(reading.flags)
    assert reading.complainer_type == "constructive"


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Kerstpakket met een fles advocaat erin, geweldig! Alleen lekte de fles.", "legal_threat"),
        ("De rechter deur van de koelkast sluit niet goed. Monteur mogelijk?", "legal_threat"),
        (
            "Ik zou jullie bijna aanklagen voor die stroopwafels 😂 maar het pak was half vol.",
            "legal_threat",
        ),
        ("Ik hou er rekening mee dat het druk is, maar 12 dagen voor een pakketje?", "billing"),
        ("Mijn oplader laadt niet meer op na 2 maanden. Garantie?", "billing"),
        ("De knoflookpers is na één keer doormidden gebroken. Kan ik hem ruilen?", "media"),
        ("Die airfryer-deal is echt ziek 🔥 maar hij wordt niet heter dan 120 graden.", "safety"),
    ],
)
def test_dutch_words_that_only_look_like_a_flag_raise_none(text, flag):
    assert flag not in analyze(text, channel="x").flags


def test_shouting_and_exclamations_make_a_complaint_hot_and_aggressive():
    reading = analyze(
        "@NorthwindHome WAAR BLIJFT MIJN BANK!!! Drie keer verzet, drie keer niemand gekomen. "
        "Ik ben er echt KLAAR MEE",
        channel="x",
    )
    assert reading.language == "nl"
    assert reading.complainer_type == "aggressive"
    assert reading.heat_label == "high"


def test_a_good_dutch_reply_gets_no_finding():
    assert codes(GOOD) == set()


def test_a_reply_calling_the_customer_an_idiot_is_hostile():
    found = codes(
        "Alleen een idioot steekt een vork in een broodrooster. Sorry dat hij kapot is. "
        "Stuur ons een DM, dan sturen we een nieuwe. Morgen hoor je van ons."
    )
    assert "hostile" in found


def test_a_contradiction_and_blame_are_found():
    assert "argumentative" in codes(
        "Dat klopt niet, de bezorger heeft wel aangebeld. Sorry dat het pakket bij de buren "
        "ligt. Stuur ons een DM, dan hoor je morgen van ons."
    )
    assert "blame" in codes(
        "Sorry dat de bank niet past. Als je de voorwaarden had gelezen, wist je dat je eerst "
        "moet opmeten. Stuur ons een DM, dan hoor je morgen van ons."
    )


def test_capitals_and_exclamation_runs_are_shouting_but_acronyms_are_not():
    assert "shouting" in codes(
        "We HEBBEN je pakket verstuurd!!! Sorry dat het nog niet binnen is. Stuur ons een DM, "
        "dan hoor je morgen van ons."
    )
    assert "shouting" not in codes(
        "Sorry voor de storing! De ACM-regels en de AVG gelden ook voor ons. Stuur ons een DM, "
        "dan hoor je morgen van ons."
    )


@pytest.mark.parametrize(
    "reply",
    [
        "Helaas is je pakket vertraagd door de drukte, sorry daarvoor! Stuur ons een DM met je "
        "ordernummer, dan zoeken we het uit. Morgen hoor je van ons.",
        "Wat een rotsituatie, sorry! Stuur ons een DM, dan kijken we wat we kunnen doen en "
        "laten we je morgen iets weten.",
        "Natuurlijk helpen we je! Sorry voor het wachten. Stuur ons even een DM, dan hoor je "
        "vandaag nog van ons.",
        "Sorry dat het zo lang duurt. We kunnen helaas geen exacte datum beloven, maar we laten "
        "je donderdag weten hoe het ervoor staat. Stuur ons een DM met je ordernummer.",
    ],
)
def test_dutch_idioms_that_only_look_bad_give_no_finding(reply):
    assert codes(reply) == set()


def test_a_non_apology_and_an_overpromise_are_found():
    assert "non_apology" in codes(
        "Het spijt ons dat je het zo ervaart. Stuur ons een DM, dan hoor je morgen van ons."
    )
    assert "overpromise" in codes(
        "Sorry dat je pakket zoek is! Dit gaat nooit meer gebeuren. Stuur ons een DM, dan hoor "
        "je morgen van ons."
    )


def test_a_gloomy_reply_reads_negative_with_the_dutch_word_scores():
    found = codes(
        "Hoi Ingrid, bedankt voor je bericht en sorry. Helaas is je pakket echt kwijt en er is "
        "niks meer aan te doen. Het is een treurige situatie en we kunnen er weinig mee.",
        channel=FACEBOOK,
    )
    assert "negative_tone" in found


def test_the_customers_order_and_address_are_private_in_public_but_not_in_a_dm():
    public = (
        "Sorry voor de vertraging! Je bestelling NW-48213 komt morgen naar Lindelaan 22, "
        "3511 AB. Stuur ons een DM als dat niet uitkomt; we laten het je vandaag weten."
    )
    assert "private_data" in codes(public)
    assert "private_data" not in codes(public, channel=DM)
    assert "private_data" not in codes(
        "Sorry voor het wachten! Bel ons op 0800 020 0192, dan hoor je vandaag van ons."
    )


def test_the_customers_angry_word_said_back_is_mirrored():
    assert "mirrors_anger" in codes(
        "Sorry dat je ons waardeloos vindt. Stuur ons een DM, dan hoor je morgen van ons.",
        complaint="@NorthwindHome jullie zijn echt waardeloos, 3e keer mislukt",
    )


def test_the_dutch_rules_pass_the_start_up_check():
    assert "nl" in analysis_rules.check_all()
    tone_rules.check_all()
    rules = tone_rules.tone_rules("nl")
    assert rules is not None
    assert rules.lexicon == "own"
    assert analysis_rules.language_rules("nl").complete


def test_a_negative_tone_lexicon_that_does_not_exist_is_refused_with_its_line(
    tmp_path, monkeypatch
):
    folder = tmp_path / "nl"
    shutil.copytree(tone_rules.RULES_DIR / "nl", folder)
    context = folder / "context.yaml"
    context.write_text(
        context.read_text(encoding="utf-8").replace("lexicon: own", "lexicon: dutch"),
        encoding="utf-8",
    )
    monkeypatch.setattr(tone_rules, "RULES_DIR", tmp_path)
    with pytest.raises(DataFileError, match=r"context.yaml:\d+: lexicon is one of"):
        tone_rules.tone_rules.__wrapped__("nl")
