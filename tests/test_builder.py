"""The template library and the four-part draft builder (no database needed)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.analysis import analyze
from app.channels import ChannelInfo, LengthCounting, fit, measure
from app.core.datafile import DataFileError
from app.drafts.builder import Sources, compose, follow_up_phrase
from app.drafts.response_templates import PARTS, load_library
from app.placeholders import unfilled_markers
from app.settings.company import CompanyDetails
from tests.fixtures.templates import draft_sources, flags_nothing_is_written_for, uncovered_cases

LIBRARY_DIR = Path(__file__).resolve().parents[1] / "response_templates"
X = ChannelInfo("x", "X (Twitter)", True, 280, True, LengthCounting.X_WEIGHTED)
FACEBOOK = ChannelInfo("facebook", "Facebook", True, 8000, False)
EMAIL = ChannelInfo("email", "E-mail", is_public=False, char_limit=50_000, supports_threads=False)
COMPANY = CompanyDetails(
    name="Northwind Home",
    phone="0808 157 0192",
    email="care@northwind.example",
    faq_url="https://help.northwind.example/faq",
)
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def library():
    return load_library(LIBRARY_DIR)


def sources(**overrides) -> Sources:
    return draft_sources(
        COMPANY,
        **(
            {"agent_name": "Priya Shah", "customer_name": "Dev Patel", "handle": "@dev_patel_91"}
            | overrides
        ),
    )


def test_every_part_has_at_least_six_english_variants(library):
    for part in PARTS:
        assert len(library.for_part("en", part)) >= 6, part


def copy_library(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(LIBRARY_DIR, target)
    return target


def test_an_unknown_placeholder_names_the_file_and_line(tmp_path):
    folder = copy_library(tmp_path)
    path = folder / "en" / "validate.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("text:"))
    lines[number] = '    text: "Thanks, {customer_nme}."'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        load_library(folder)
    assert f"validate.yaml:{number + 1}: unknown placeholder {{customer_nme}}" in str(error.value)


def test_a_missing_part_or_a_bad_condition_stops_loading(tmp_path):
    folder = copy_library(tmp_path)
    (folder / "en" / "close_loop.yaml").unlink()
    with pytest.raises(DataFileError, match="missing part 'close_loop'"):
        load_library(folder)
    folder = copy_library(tmp_path / "again")
    path = folder / "en" / "direction.yaml"
    text = path.read_text(encoding="utf-8").replace("flags: [harassment]", "flags: [harasment]", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"direction.yaml:\d+: avoid.flags: unknown value"):
        load_library(folder)


def test_a_start_up_with_a_broken_library_fails_loudly(tmp_path, sqlite_template):
    from app import create_app

    folder = copy_library(tmp_path)
    (folder / "en" / "topics.yaml").write_text("language: en\ntopics: {delivery: x}\n")
    with pytest.raises(DataFileError, match="topics.yaml"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{sqlite_template}",
                "RESPONSE_TEMPLATES_DIR": str(folder),
                "SECRET_KEY": "x",
            }
        )


def test_a_draft_has_the_four_parts_in_order_and_fits_x(library):
    result = compose(library, analyze("@NorthwindHome my parcel is a week late"), X, sources())
    assert result.mode == "reply"
    assert list(result.parts) == list(PARTS)
    assert result.text == " ".join(result.parts[part].text for part in PARTS)
    assert result.length <= 280
    assert result.unfilled == []
    assert all(result.alternatives[part] for part in PARTS)


def test_billing_on_a_public_channel_moves_offline_and_repeats_no_personal_data(library):
    text = (
        "@NorthwindHome you charged my card ending 4417 twice for order #NW-50177!!! "
        "Email me at chinedu.okafor82@example.com or ring 07700 900761"
    )
    analysis = analyze(text, channel="x")
    assert {"billing", "personal_data"} <= set(analysis.flags)
    result = compose(library, analysis, X, sources())
    assert result.parts["direction"].offline
    assert "billing" in result.taken_offline_for
    for secret in ("4417", "NW-50177", "chinedu", "07700"):
        assert secret not in result.text
        for choices in result.alternatives.values():
            assert all(secret not in choice.text for choice in choices)


def test_a_private_channel_names_the_order_back_to_the_customer(library):
    analysis = analyze("Hi, I was charged twice for order NW-50177, could you refund one?")
    result = compose(library, analysis, EMAIL, sources())
    assert "NW-50177" in result.text
    assert "\n\n" in result.text


def test_an_attack_gets_guidance_for_pr_not_an_apology(library):
    analysis = analyze("I hope your warehouse burns down with all of you in it, subhuman scum")
    result = compose(library, analysis, X, sources())
    assert result.mode == "attack"
    assert result.parts == {}
    assert "sorry" not in result.text.lower()
    assert "PR" in " ".join(result.guidance.steps)


def test_a_placeholder_it_cannot_fill_stays_visible_never_literal(library):
    no_phone = CompanyDetails(name="Northwind Home", dm_instruction="send us a DM")
    analysis = analyze("Your heater started smoking in my kitchen, it's dangerous", channel="x")
    result = compose(library, analysis, FACEBOOK, sources(company=no_phone, agent_name=""))
    for choices in [list(result.parts.values()), *result.alternatives.values()]:
        for choice in choices:
            assert "{" not in choice.text
            assert "}" not in choice.text
            for name in choice.unfilled:
                assert f"[[{name.replace('_', ' ')}" in choice.text or "[[" in choice.text
    # A variant that can be completed beats one that leaves a gap.
    assert result.unfilled == []


def test_gaps_are_found_whether_marked_or_typed_as_placeholders():
    found = unfilled_markers("Call [[company phone number]] or quote {order_ref}.")
    assert [label for _, _, label in found] == ["company phone number", "order_ref"]


def test_a_language_without_templates_falls_back_to_english_with_a_notice(library):
    analysis = analyze("Bonjour, ma commande n'est jamais arrivée et personne ne me répond.")
    assert analysis.language not in library.languages
    result = compose(library, analysis, X, sources())
    assert result.language == "en"
    assert any("French" in notice for notice in result.notices)


def test_x_counts_links_as_23_and_emoji_as_two():
    assert measure("See https://help.northwind.example/a/very/long/path", X) == 4 + 23
    assert measure("ok 👍🏽", X) == 5
    assert measure("ok 👍🏽", FACEBOOK) == 5


def test_a_long_reply_splits_into_a_numbered_thread_that_fits():
    text = " ".join(
        f"Sentence number {n} says something useful to the customer." for n in range(12)
    )
    posts = fit(text, X).thread
    assert len(posts) > 1
    assert posts[0].startswith(f"1/{len(posts)} ")
    assert all(measure(post, X) <= 280 for post in posts)
    assert " ".join(post.split(" ", 1)[1] for post in posts) == text


@pytest.mark.parametrize(
    ("now", "days", "expected"),
    [
        (MONDAY, 1, "tomorrow"),
        (MONDAY, 2, "by Wednesday"),
        (datetime(2026, 11, 27, 16, tzinfo=UTC), 1, "by Monday"),
        (MONDAY, 10, "by 7 December"),
    ],
)
def test_follow_up_promises_name_a_working_day(now, days, expected, library):
    assert follow_up_phrase(now, days, "Europe/London", library.dates["en"]) == expected


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("weekdays: [Monday, ", "weekdays: ["), r"dates.yaml:\d+: weekdays needs 7 names"),
        (('"by {weekday}"', '"by {day}"'), r"dates.yaml:\d+: by_weekday needs \{weekday\}"),
        (("tomorrow: tomorrow", "tomorrow: "), r"dates.yaml:\d+: tomorrow must be some text"),
    ],
)
def test_a_broken_dates_file_names_the_line(tmp_path, change, message):
    folder = copy_library(tmp_path)
    path = folder / "en" / "dates.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(DataFileError, match=message):
        load_library(folder)


@pytest.mark.parametrize("language", sorted(p.name for p in LIBRARY_DIR.iterdir() if p.is_dir()))
@pytest.mark.parametrize("visibility", ["public", "private"])
def test_every_language_has_a_variant_for_every_case_and_words_for_every_flag(
    library, language, visibility
):
    """Each part has a variant for every type, category and flag in every language, and
    each sensitive flag has validate or responsibility wording written for it."""
    assert uncovered_cases(library, language, visibility) == []
    assert flags_nothing_is_written_for(library, language, visibility) == []
