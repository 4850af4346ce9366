"""The tone checks read context: negation and its scope, who is speaking (the company's
own contacts, the agent's own number), an admission beside a contradiction, and the subtle
harm families of issue 15. Each false alarm and miss listed there is a case here, with
other phrasings of the same thing so that a rule written for one sentence shows up."""

from __future__ import annotations

import pytest

from app.channels import ChannelInfo, LengthCounting
from app.core.datafile import DataFileError
from app.tone import checker
from app.tone import rules as tone_rules
from app.tone.catalogue import BLOCK, WARN
from app.tone.checks import Contact

X = ChannelInfo("x", "X", True, 280, True, LengthCounting.X_WEIGHTED)
FACEBOOK = ChannelInfo("facebook", "Facebook", True, 8000, False)
DM = ChannelInfo("dm", "Direct message", False, 10000, False)
NORTHWIND = Contact(phone="0808 157 0192", email="care@northwind.example")


def check(text: str, channel: ChannelInfo = X, contact: Contact = NORTHWIND):
    return checker.check(text, channel=channel, language="en", contact=contact, four_parts=False)


def found(report, code: str) -> list[str]:
    return [report.text[f.start : f.end] for f in report.findings if f.code == code]


# --- negation: a promise not made is no over-promise --------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "We can't make any promises about the delivery date, but I'll chase the courier today.",
        "We can't promise it will definitely arrive tomorrow, but I'll chase it for you.",
        "I'm not going to promise it will never happen again; here is what we have changed.",
        "We won't make promises we can't keep: I'll call you on Friday with an update.",
        "Nobody can guarantee a time slot, so I've asked the depot to call you first.",
        "I wouldn't want to promise you it's fixed for good until the engineer has been.",
    ],
)
def test_a_negated_promise_is_not_an_overpromise(reply):
    assert found(check(reply), "overpromise") == []


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        ("We can't refund that, but we guarantee it will arrive tomorrow.", "we guarantee"),
        ("It will never happen again.", "never happen again"),
        ("Don't worry, this will definitely be fixed by tonight.", "will definitely"),
    ],
)
def test_a_negation_reaches_only_its_own_clause(reply, words):
    assert any(words.lower() in text.lower() for text in found(check(reply), "overpromise"))


@pytest.mark.parametrize(
    "reply",
    [
        "We are not accepting liability at this stage, but we'd like to look into it.",
        "We can't cover the repair bill, I'm afraid, but the warranty team can help.",
    ],
)
def test_a_negated_admission_is_not_a_legal_risk(reply):
    assert found(check(reply), "legal_risk") == []


# --- who is speaking: the company's own contacts, the agent's own number -------------------


@pytest.mark.parametrize(
    "reply",
    [
        "E-mail care@northwind.example and we'll sort it today.",
        "Our team at support@northwind.example can help with this.",
        "Drop a line to help@northwind.example with the details and we'll reply today.",
        "The warranty team (warranty@northwind.example) will be in touch.",
        "Please see https://help.northwind.example/faq or write to jo.bloggs@northwind.example.",
        "Sorry for the wait, Sam. We're on it.\n\nJo, Customer Care\njo.bloggs@northwind.example",
    ],
)
def test_the_companys_own_email_is_not_personal_data_when_none_is_configured(reply):
    report = check(reply, FACEBOOK, contact=Contact())
    assert found(report, "private_data") == []


def test_a_customers_email_is_still_personal_data_when_none_is_configured():
    report = check("Thanks, we've updated sam.k@example.com on your account.", contact=Contact())
    assert found(report, "private_data") == ["sam.k@example.com"]


@pytest.mark.parametrize(
    "reply",
    [
        "Call me directly on my mobile 07700 900123 and I'll sort it.",
        "If it's easier, my personal number is 07700 900456.",
        "Text me on my cell, 555-0142, and I'll call you back.",
    ],
)
def test_the_agents_own_mobile_is_not_the_customers_data_but_a_milder_warning(reply):
    report = check(reply)
    assert found(report, "private_data") == []
    mobile = [f for f in report.findings if f.code == "private_topic"]
    assert len(mobile) == 1
    assert mobile[0].severity == WARN
    assert "your own" in mobile[0].message
    assert not report.blocking


def test_the_agents_mobile_in_a_dm_is_fine_and_a_customers_number_still_blocks():
    assert check("Call me directly on my mobile 07700 900123.", DM).findings == []
    report = check("We'll ring you on 07700 900789 today.")
    assert found(report, "private_data") == ["07700 900789"]
    assert report.findings[0].severity == BLOCK


# --- an admission is not an argument --------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "You're right, we didn't say so on the product page... that's our mistake.",
        "We didn't mention the delivery charge at checkout, and that's on us.",
        "Our records show the order was never sent, which was our error, and I'm sorry.",
    ],
)
def test_an_admission_beside_a_contradiction_is_not_argumentative(reply):
    assert found(check(reply), "argumentative") == []


def test_a_contradiction_without_an_admission_still_argues():
    assert found(check("We didn't say so anywhere on the product page."), "argumentative")


# --- shouting: the whole raised voice ----------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "span"),
    [
        ("IT IS NOT OUR FAULT.", "IT IS NOT OUR FAULT"),
        ("We said IT IS NOT OUR FAULT, sorry.", "IT IS NOT OUR FAULT"),
        ("WE DID SEND IT.", "WE DID SEND IT"),
        ("NO, WE DID NOT.", "NO, WE DID NOT"),
    ],
)
def test_the_shouting_span_covers_every_capitalised_word(reply, span):
    assert found(check(reply), "shouting") == [span]


def test_short_capitals_on_their_own_are_not_shouting():
    assert found(check("We'll DM you; the IT team in the US will check it."), "shouting") == []


# --- the misses a customer would screenshot -----------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "Please reply here with your full card number and your home address.",
        "Can you post your email address and phone number below so we can find you?",
        "Just comment with your account number and date of birth and we'll check.",
        "Tweet us your postcode and the long number on your card.",
    ],
)
def test_asking_for_personal_data_in_public_is_flagged(reply):
    report = check(reply)
    assert found(report, "private_data"), report.findings
    finding = next(f for f in report.findings if f.code == "private_data")
    assert "DM" in finding.message or "private" in finding.message


@pytest.mark.parametrize(
    "reply",
    [
        "Please send us a DM with your card's last four digits and your postcode.",
        "Could you DM us your email address and order number?",
        "Please don't post your card number here; send us a DM instead.",
    ],
)
def test_asking_for_details_by_dm_is_fine(reply):
    assert found(check(reply), "private_data") == []


@pytest.mark.parametrize(
    "reply",
    [
        "Great job, genius.",
        "Nice work, Einstein, the plug goes in the wall.",
        "Well done, champ. You found the off switch.",
        "Brilliant detective work there, Sherlock.",
    ],
)
def test_ironic_praise_with_a_mocking_name_is_sarcasm(reply):
    assert found(check(reply), "sarcasm")


@pytest.mark.parametrize(
    "reply",
    [
        "You will get a full refund within the hour, I promise.",
        "Your money will be back in your account by tonight, I promise.",
        "I've approved a full refund plus a £50 voucher for you.",
        "You'll have the replacement by tomorrow morning, you have my word.",
    ],
)
def test_promises_of_money_or_times_the_agent_cannot_give_are_overpromises(reply):
    assert found(check(reply), "overpromise")


@pytest.mark.parametrize(
    "reply",
    [
        "What a ridiculous complaint. Maybe learn to use a microwave.",
        "Perhaps try reading the manual before complaining.",
        "It's not rocket science: the switch is on the back.",
        "Honestly, a child could set this up.",
    ],
)
def test_condescension_is_dismissive(reply):
    assert found(check(reply), "dismissive")


@pytest.mark.parametrize(
    "reply",
    [
        "Your claim is false and we will take legal action if you keep posting lies about us.",
        "Your review is untrue, and our solicitors will be in touch.",
        "That is a false accusation. Remove the post or we will sue.",
    ],
)
def test_arguing_the_facts_and_threatening_the_customer_are_found(reply):
    report = check(reply)
    assert found(report, "argumentative")
    threat = [f for f in report.findings if f.code == "legal_risk"]
    assert threat
    assert "threat" in threat[0].message.lower()


@pytest.mark.parametrize(
    "reply",
    [
        "You're right that the brakes on that batch were faulty, and that's almost certainly "
        "what caused your accident.",
        "The heater was defective and that's what started the fire in your kitchen.",
        "Our engineer left the pipe loose, which led to the flood in your flat.",
        "It was our product that made your son ill.",
    ],
)
def test_admitting_cause_of_harm_without_the_word_liable_is_a_legal_risk(reply):
    assert found(check(reply), "legal_risk")


@pytest.mark.parametrize(
    "reply",
    [
        "The fault caused the delay, and we're sorry for the wait.",
        "A courier mix-up led to the late delivery; that's on us.",
    ],
)
def test_owning_a_service_failure_is_not_a_legal_risk(reply):
    assert found(check(reply), "legal_risk") == []


# --- the other subtle harm families --------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        ("Our decision is final.", "argumentative"),
        ("We will not be entering into further correspondence on this matter.", "dismissive"),
        ("As per my last message, the refund was processed.", "dismissive"),
        ("I'll refer you back to my previous reply.", "dismissive"),
        ("As outlined in our terms and conditions, this is not covered.", "dismissive"),
        ("The terms you agreed to say returns take 14 days.", "blame"),
        ("Dave has been given a written warning.", "private_topic"),
        ("The driver has been suspended while we look into it.", "private_topic"),
        ("This is our final response.", "dismissive"),
        ("As you are well aware, returns take 14 days.", "dismissive"),
        ("It's all in the small print.", "blame"),
        ("We have proof that you received it.", "argumentative"),
        ("Our driver reversed into your car, which we regret.", "legal_risk"),
        ("I'm sorry we're not mind readers.", "sarcasm"),
    ],
)
def test_stonewalling_passive_aggression_terms_and_staff_matters_are_found(reply, code):
    assert found(check(reply), code)


@pytest.mark.parametrize(
    "reply",
    [
        "Please DM us and we can discuss this further.",
        "We'll write to you once the matter has been concluded.",
        "They are working on the line in your area now.",
        "The blind was the wrong size for the third time, and I'm sorry.",
    ],
)
def test_everyday_replies_are_not_taken_for_those_families(reply):
    report = check(reply)
    assert [f.code for f in report.findings if f.code != "shouting"] == []


# --- the rules say what context means, and the loader checks them --------------------------


def test_a_wording_check_with_an_unknown_negation_names_the_file_and_line(tmp_path):
    path = tmp_path / "wording.yaml"
    path.write_text(
        "language: en\n"
        "negation: {words: [not], ends: [','], reach: 4}\n"
        "checks:\n"
        "  overpromise:\n"
        "    message: Too much.\n"
        "    negation: sometimes\n"
        "    cues: [guarantee]\n"
    )
    with pytest.raises(DataFileError, match=r"wording.yaml:6: negation is one of"):
        tone_rules._wording(path)
    path.write_text("language: en\nchecks: {}\n")
    with pytest.raises(DataFileError, match="negation"):
        tone_rules._wording(path)
