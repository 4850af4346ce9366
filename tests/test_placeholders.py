"""The placeholder language, read one way: the template loader (and with it the builder)
and the template-library check find the same placeholders in every shipped template, and
fill them the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.channels import ChannelInfo, LengthCounting
from app.drafts.response_templates import load_library
from app.placeholders import PLACEHOLDERS, fill, marker, unfilled_markers
from app.settings.company import CompanyDetails
from app.settings.template_checks import check_library
from app.tone.policy import TonePolicy

SHIPPED = Path(__file__).resolve().parents[1] / "response_templates"
X = ChannelInfo("x", "X (Twitter)", True, 280, True, LengthCounting.X_WEIGHTED)
DM = ChannelInfo("dm", "Direct message", False, 10_000, False)


def braced(text: str) -> tuple[str, ...]:
    """The names between braces, found by reading the text character by character."""
    names, name = [], None
    for character in text:
        if character == "{":
            name = ""
        elif character == "}" and name is not None:
            names.append(name)
            name = None
        elif name is not None:
            name += character
    return tuple(dict.fromkeys(names))


@pytest.fixture(scope="module")
def shipped():
    library = load_library(SHIPPED)
    report = check_library(
        SHIPPED,
        channels=[X, DM],
        policy=TonePolicy(),
        company=CompanyDetails(name="Northwind Home", phone="0808 157 0192"),
        now=datetime(2026, 11, 23, 9, tzinfo=UTC),
        timezone="UTC",
    )
    assert report.loads, report.problem
    return library, report


def test_the_library_check_and_the_builder_find_the_same_placeholders(shipped):
    library, report = shipped
    checked = {check.id: check for check in report.variants}
    texts = {variant.id: (variant.text, variant.placeholders) for variant in library.by_id.values()}
    for language, guidance in library.attack.items():
        texts[f"attack-{language}"] = (guidance.holding_reply, braced(guidance.holding_reply))
    assert set(checked) == set(texts)
    with_placeholders = 0
    for variant_id, (text, placeholders) in texts.items():
        check = checked[variant_id]
        shown = tuple(dict.fromkeys(s.name for s in check.segments if s.name is not None))
        assert shown == placeholders == braced(text), variant_id
        assert check.unknown_placeholders == ()
        assert "".join(segment.text for segment in check.segments) == text
        # What the builder leaves as gaps when nothing is known is what the check marks.
        _, gaps = fill(text, {})
        assert gaps == placeholders, variant_id
        with_placeholders += bool(placeholders)
    assert with_placeholders > 20  # the shipped library does use them


def test_the_library_check_fills_a_template_as_the_builder_does(shipped):
    _, report = shipped
    compared = 0
    for check in report.variants:
        if "{topic}" in check.text:
            continue  # the check picks a topic per variant; the builder, per complaint
        samples = report.samples[check.language]  # the follow-up day in its own words
        filled, _ = fill(check.text, samples, public=check.checked_on == X.name)
        assert filled == check.filled, check.id
        assert "{" not in filled
        compared += 1
    assert compared > 50


def test_personal_placeholders_stay_gaps_in_public_whatever_is_known():
    values = {"order_ref": "NW-48213", "customer_name": "Alex"}
    text = "Hi {customer_name}, about order {order_ref}."
    assert fill(text, values, public=True) == (
        f"Hi Alex, about order {marker('order_ref')}.",
        ("order_ref",),
    )
    assert fill(text, values, public=False) == ("Hi Alex, about order NW-48213.", ())
    assert PLACEHOLDERS["order_ref"].personal


@pytest.mark.parametrize(
    ("text", "gaps"),
    [
        (
            "Call [[company phone number]] or quote {order_ref}.",
            ["company phone number", "order_ref"],
        ),
        ("A {made_up_name} an agent typed is a gap too.", ["made_up_name"]),
        ("Not {A1}, {x}, {} or {Order}: braces in prose.", []),
        ("[[{order_ref}]] is one gap, not two.", ["{order_ref}"]),
    ],
)
def test_gaps_are_marked_or_literal_placeholders(text, gaps):
    assert [label for _, _, label in unfilled_markers(text)] == gaps
