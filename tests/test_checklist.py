"""The four parts' checklist tells the truth: a part is ticked only by words in its own box
(or, for a reply written as one text, words that do its job), "Thanks" alone validates
nothing, an empty box is never ticked, and missing parts are warnings only where the reply
is expected to have them (a first public answer to an angry complaint)."""

from __future__ import annotations

from flask import get_template_attribute

from app.channels import ChannelInfo, LengthCounting
from app.drafts.composer import ToneSetting, check_parts
from app.tone import checker
from app.tone.catalogue import INFO, WARN
from app.tone.checks import ComplaintContext, Contact
from app.tone.policy import TonePolicy

X = ChannelInfo("x", "X", True, 280, True, LengthCounting.X_WEIGHTED)
DM = ChannelInfo("dm", "Direct message", False, 10000, False)
NORTHWIND = Contact(phone="0808 157 0192", email="care@northwind.example")
ANGRY = ComplaintContext(
    "@NorthwindHome three weeks and STILL no refund. Useless, disgraceful.", "en"
)
CALM = ComplaintContext("@NorthwindHome hi, do you deliver to Jersey?", "en")


def setting(channel: ChannelInfo = X, complaint: ComplaintContext | None = ANGRY) -> ToneSetting:
    return ToneSetting(channel=channel, complaint=complaint, policy=TonePolicy(), contact=NORTHWIND)


def ticked(parts: dict[str, str], **kwargs) -> dict[str, str | None]:
    """part -> the words that tick it, or None."""
    report = setting(**kwargs).check_parts(parts)
    return {
        part: found["evidence"] if found["present"] else None
        for part, found in report.parts.items()
    }


def test_an_empty_box_is_never_ticked_by_words_in_another():
    parts = {
        "validate": "We're so sorry, that's on us.",
        "responsibility": "",
        "direction": "Send us a DM with your order number.",
        "close_loop": "We'll update you by Friday.",
    }
    found = ticked(parts)
    assert found["responsibility"] is None
    assert found["validate"] is not None


def test_a_part_is_ticked_by_its_own_box_only():
    parts = {
        "validate": "Sorry to hear the parcel is late.",
        "responsibility": "We're on it.",
        "direction": "Send us a DM.",
        "close_loop": "We'll update you by Friday.",
    }
    found = ticked(parts)
    assert found["validate"] == "Sorry to hear"
    assert found["responsibility"] is None  # "sorry" is in the validate box, not this one


def test_thanks_alone_is_not_validation():
    parts = {
        "validate": "Thanks!",
        "responsibility": "That's on us.",
        "direction": "Send us a DM.",
        "close_loop": "We'll update you by Friday.",
    }
    assert ticked(parts)["validate"] is None
    report = checker.check(
        "That's on us. Send us a DM and we'll update you by Friday. Thanks, ^HCK",
        channel=X,
        language="en",
        contact=NORTHWIND,
    )
    assert not report.parts["validate"]["present"]
    parts["validate"] = "Thanks for telling us."
    assert ticked(parts)["validate"] == "Thanks for telling us"


def test_a_reply_written_as_one_text_is_ticked_by_the_words_that_do_each_job():
    found = ticked(
        {
            "validate": "Thanks for telling us, Sam. I'm sorry your parcel is late; that's on "
            "us. Please send us a DM with your order number and we'll update you by Friday."
        }
    )
    assert all(found.values()), found


def test_missing_parts_warn_on_a_first_public_answer_to_an_angry_complaint():
    report = checker.check("We're looking at it.", channel=X, language="en", complaint=ANGRY)
    severities = {f.code: f.severity for f in report.findings}
    assert severities["missing_close_loop"] == WARN
    # Without a complaint to go by, the reply is taken to need all four.
    report = checker.check("We're looking at it.", channel=X, language="en")
    assert {f.severity for f in report.findings if f.code.startswith("missing_")} == {WARN}


def test_missing_parts_are_notes_in_a_dm_a_follow_up_or_an_answer_to_a_calm_message():
    follow_up = ComplaintContext(ANGRY.text, "en", follow_up=True)
    for channel, complaint in ((DM, ANGRY), (X, follow_up), (X, CALM)):
        report = checker.check("Yes, we do.", channel=channel, language="en", complaint=complaint)
        missing = [f for f in report.findings if f.code.startswith("missing_")]
        assert missing
        assert {f.severity for f in missing} == {INFO}
        assert not any(found["expected"] for found in report.parts.values())
        shown = check_parts(setting(channel, complaint), {"validate": "Yes, we do."})
        assert not [f for f in shown.findings if f["code"].startswith("missing_")]


def test_the_panel_never_says_no_problems_while_a_part_is_missing(app):
    parts = {
        "validate": "Yes, we deliver to Jersey.",
        "direction": "See https://help.northwind.example/faq",
    }
    shown = check_parts(setting(X, CALM), parts)
    assert shown.findings == []
    with app.test_request_context():
        html = str(
            get_template_attribute("drafts/_tone.html", "tone_panel")(
                shown.report, shown.findings, shown.refusal
            )
        )
    assert "No tone problems found" not in html
    assert "of the four parts are not in this reply" in html
    assert "not needed for a private message" in html
