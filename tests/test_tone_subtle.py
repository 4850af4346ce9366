"""Harm in polite words (the families the catalogue names): each is found, by its cues or
by its check's trained model, and says why; firm but kind replies in the same situations
are not flagged. The sentences are new: in none of the labelled sets."""

from __future__ import annotations

import pytest

from app.channels import ChannelInfo
from app.tone import checker

EMAIL = ChannelInfo("email", "E-mail", False, 50000, False)
HARMFUL = {"blame", "non_apology", "dismissive", "argumentative", "hostile", "sarcasm"}


def check(sentence: str) -> checker.ToneReport:
    """The sentence inside an otherwise good reply, as an agent would send it."""
    text = (
        f"Hi Jo,\n\nThanks for your e-mail about the broken chair. {sentence}\n\n"
        "Reply to this e-mail if you need anything else, and I'll check in on Friday.\n\nSam"
    )
    return checker.check(text, channel=EMAIL, language="en")


def marked(report: checker.ToneReport, code: str) -> list[str]:
    return [report.text[f.start : f.end] for f in report.findings if f.code == code]


@pytest.mark.parametrize(
    ("family", "sentence", "code"),
    [
        (
            "stonewalling",
            "Our decision is final and we will not be entering into further correspondence.",
            "dismissive",
        ),
        (
            "stonewalling",
            "We have nothing further to add and consider this matter closed.",
            "dismissive",
        ),
        (
            "passive aggression",
            "As per my last message, the refund went out on Monday.",
            "dismissive",
        ),
        (
            "passive aggression",
            "As previously advised, the part is on back order.",
            "dismissive",
        ),
        ("condescension", "Maybe learn to read the assembly leaflet next time.", "dismissive"),
        (
            "blame through the terms",
            "Under our terms it was your responsibility to check the chair on delivery.",
            "blame",
        ),
        (
            "arguing the facts",
            "Your claim that the chair arrived broken is false.",
            "argumentative",
        ),
        (
            "arguing the facts",
            "That simply isn't what happened; the driver's photo shows it intact.",
            "argumentative",
        ),
        (
            "a threat back",
            "Keep posting about us like this and we will close your account.",
            "hostile",
        ),
        ("sarcasm", "Congratulations on finally reading the care leaflet.", "sarcasm"),
        ("a fake apology", "We are sorry you feel that way about the chair.", "non_apology"),
    ],
)
def test_each_family_of_subtle_harm_is_found(family, sentence, code):
    report = check(sentence)
    assert marked(report, code), f"{family} not found as {code}: {report.codes()}"
    finding = next(f for f in report.findings if f.code == code)
    assert finding.message  # says why, in words


@pytest.mark.parametrize(
    "sentence",
    [
        "We can't refund this one because it was used; here is what we can do: a free repair "
        "or 20% off a new chair.",
        "Our guarantee doesn't cover chairs left outside. I'm sorry about that; I can send a "
        "new leg at cost price.",
        "I've checked, and the driver's photo shows the box intact, which I know isn't what you "
        "saw, so I've opened a claim with the courier.",
        "I'm sorry: we sent the wrong leg, and a new one is on its way today.",
        "Thanks so much for the photos; they made it quick to see what went wrong.",
        "We've reviewed it again and the answer is still no. I know that's disappointing; you "
        "can ask the ombudsman to look at it, and I'll send you the details.",
    ],
)
def test_polite_disagreement_firm_policy_and_real_apologies_are_not_flagged(sentence):
    report = check(sentence)
    assert not report.codes() & HARMFUL, [
        (f.code, report.text[f.start : f.end]) for f in report.findings if f.code in HARMFUL
    ]


def test_a_models_finding_marks_its_sentence_and_names_the_words_that_weigh_most():
    sentence = "That simply isn't what happened; the driver's photo shows it intact."
    report = check(sentence)
    finding = next(f for f in report.findings if f.details.get("model") == "argumentative")
    assert finding.code == "argumentative"
    assert report.text[finding.start : finding.end] == sentence
    assert finding.details["words"]
    assert all(word in sentence for word in finding.details["words"])
    assert "arguing with the customer" in finding.message
    assert f"“{finding.details['words'][0]}”" in finding.message
