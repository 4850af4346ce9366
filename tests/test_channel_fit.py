"""One decision about a reply's room on its channel.

The draft builder, the tone check, the editor (its page and its live check) and the outbox
agree whether a reply fits one post on X or goes out as a thread, and on the thread: for a
reply full of emoji, one with a long link and one in Japanese. In each case counting
characters, as the outbox did, decides the other way: the agent was shown a thread and the
channel got one long post, or the other way round.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from app.channels import ChannelInfo, LengthCounting, fit, measure
from app.complaints.models import Channel, Complaint
from app.drafts import composer
from app.drafts.models import Draft, Revision
from app.drafts.response_templates import PARTS, load_library
from app.extensions import db
from app.publishing import outbox
from app.settings.company import CompanyDetails
from app.tone.policy import TonePolicy
from tests.fixtures.app import T0
from tests.fixtures.complaints import add_complaint
from tests.fixtures.users import get_user

SHIPPED = Path(__file__).resolve().parents[1] / "response_templates"
#: A calm complaint with nothing private: the builder keeps the reply public on X.
COMPLAINT = "@NorthwindHome my sofa was due on Tuesday and never came. What happened?"
#: The replies, part by part (on X the parts are joined with one space).
CASES = {
    "emoji": {
        "validate": "Thank you for telling us, and we're so sorry the sofa never came "
        "😞🙏💔😢😞🙏💔😢😞🙏💔😢",
        "responsibility": "That's on us 🙇‍♀️🙇‍♀️🙇‍♀️ and we should have called you first 📞📞📞📞📞",
        "direction": "Please send us a DM with your postcode 📬📬📬📬📬 and we'll find a new slot "
        "🚚🚚🚚🚚🚚🚚",
        "close_loop": "We'll check in tomorrow 💙💙💙💙💙💙💙💙💙💙💙💙",
    },
    "long link": {
        "validate": "Thank you for telling us, and we're sorry the sofa did not arrive.",
        "responsibility": "That's on us: the van was overbooked and we should have called you "
        "first.",
        "direction": "Please pick a new delivery slot at https://help.northwind.example/"
        "deliveries/rebook/step-one?source=x-reply&campaign=missed-delivery-autumn-2026&lang=en-GB"
        " and we'll hold it for you.",
        "close_loop": "We'll check in tomorrow.",
    },
    "japanese": {
        "validate": "ご連絡ありがとうございます。"
        "お約束の日にソファをお届けできず、本当に申し訳ございません。",
        "responsibility": "配送の手配は私どもの責任です。事前にお電話するべきでした。",
        "direction": "お手数ですが、郵便番号をダイレクトメッセージでお送りください。"
        "新しい配達日をすぐにお取りします。",
        "close_loop": "明日、こちらから改めてご連絡いたします。"
        "ご不便をおかけして申し訳ございません。",
    },
}
#: What X decides: emoji and CJK count twice, so those two need a thread; the link counts
#: as 23 characters, so that reply fits one post.
FITS_ON_X = {"emoji": False, "long link": True, "japanese": False}


def library_folder(tmp_path: Path, parts: dict[str, str]) -> Path:
    """The shipped English library with one wording per part: `parts`. The direction's
    offline wording (every library has one) is kept for complaints about safety."""
    folder = tmp_path / "response_templates"
    (folder / "en").mkdir(parents=True)
    for name in ("topics.yaml", "attack.yaml", "dates.yaml"):
        shutil.copy(SHIPPED / "en" / name, folder / "en" / name)
    for part in PARTS:
        variants = [{"id": f"case-{part}", "text": parts[part]}]
        if part == "direction":
            variants.append(
                {
                    "id": "case-direction-offline",
                    "text": "Please send us a DM so we can look into it.",
                    "offline": True,
                    "requires": {"flags": ["safety"]},
                }
            )
        (folder / "en" / f"{part}.yaml").write_text(
            yaml.safe_dump(
                {"language": "en", "part": part, "variants": variants}, allow_unicode=True
            ),
            encoding="utf-8",
        )
    return folder


def length_line(html: str) -> str:
    """The editor's line under the reply, as read: "300 of 280 characters on X …"."""
    found = re.search(r'id="length-line">(.*?)</p>', html, re.DOTALL)
    assert found, "the editor shows no length line"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


@pytest.mark.parametrize("case", list(CASES))
def test_the_builder_the_tone_check_the_editor_and_the_outbox_agree(
    app, users, client_for, tmp_path, case
):
    parts = CASES[case]
    with app.app_context():
        app.extensions["composure.templates"] = load_library(library_folder(tmp_path, parts))
    complaint_id = add_complaint(app, COMPLAINT)

    # The agent clicks "Draft a reply": the builder writes revision 1 from those wordings.
    agent = client_for("agent")
    started = agent.post(f"/complaints/{complaint_id}/drafts")
    assert started.status_code == 302
    draft_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    page = agent.get(f"/drafts/{draft_id}").get_data(as_text=True)

    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        revision = db.session.query(Revision).filter_by(draft_id=draft_id, number=1).one()
        text = revision.text
        assert revision.parts == parts
        assert text == " ".join(parts[part] for part in PARTS)
        channel: Channel = draft.channel
        assert channel.length_counting == LengthCounting.X_WEIGHTED
        # Counting characters would decide the other way: the bug the outbox had.
        assert (len(text) <= channel.char_limit) is not FITS_ON_X[case]

        complaint = db.session.get(Complaint, complaint_id)
        company = CompanyDetails(name="Northwind Home")
        composition = composer.compose_for(
            complaint,
            library=app.extensions["composure.templates"],
            company=company,
            agent=get_user(users["agent"]),
            now=T0,
            timezone="UTC",
        )
        assert composition.text == text
        tone = composer.tone_setting(
            complaint, channel, policy=TonePolicy(), company=company
        ).check_text(text)
        sent = outbox.payload(draft, revision, actor=get_user(users["agent"]), now=T0)
        posts = sent["thread"]
        assert all(measure(post, channel) <= channel.char_limit for post in posts)

    live = agent.post(f"/drafts/{draft_id}/check", json={"parts": revision.parts})
    assert live.status_code == 200
    live = live.get_json()
    assert live["text"] == text

    fits = FITS_ON_X[case]
    expected_thread = [] if fits else posts
    assert bool(posts) is not fits, "the outbox"
    assert (composition.fits, composition.thread) == (fits, expected_thread), "the builder"
    too_long = [finding for finding in tone.findings if finding.code == "too_long"]
    assert (not too_long, too_long[0].details["thread"] if too_long else []) == (
        fits,
        expected_thread,
    ), "the tone check"
    assert (live["fits"], live["thread"]) == (fits, expected_thread), "the editor's live check"
    live_too_long = [f for f in live["findings"] if f["code"] == "too_long"]
    assert [f["details"]["thread"] for f in live_too_long] == ([] if fits else [posts])
    assert live["length"] == composition.length == measure(text, channel)

    shown = length_line(page)
    assert shown == length_line(f'id="length-line">{live["html"]["length"]}</p>')
    assert shown.startswith(f"{composition.length} of 280 characters on X")
    if fits:
        assert "too long" not in shown
    else:
        assert shown.endswith(f"too long; it can go out as a thread of {len(posts)} posts")


X_BY_DATA = ChannelInfo("x", "X", True, 280, True, LengthCounting.X_WEIGHTED)


def test_how_a_channel_counts_is_its_data_not_its_key():
    text = "ok 👍🏽 https://help.northwind.example/a/very/long/path"
    assert measure(text, X_BY_DATA) == 2 + 1 + 2 + 1 + 23
    counted_by_characters = ChannelInfo("x", "X", True, 280, True, LengthCounting.CHARACTERS)
    assert measure(text, counted_by_characters) == len(text)
    weighted_elsewhere = ChannelInfo("threads", "Threads", True, 280, True, "x_weighted")
    assert measure(text, weighted_elsewhere) == measure(text, X_BY_DATA)


def test_a_thread_is_offered_only_where_the_channel_carries_threads():
    text = "Sorry. " * 60
    assert fit(text, X_BY_DATA).thread
    no_threads = ChannelInfo("review", "Reviews", True, 280, False, LengthCounting.X_WEIGHTED)
    room = fit(text, no_threads)
    assert (room.fits, room.thread, room.over) == (False, [], room.length - 280)


def test_a_long_run_of_cjk_without_spaces_is_cut_into_posts_that_each_fit():
    text = "本当に申し訳ございません" * 30  # 360 characters, 720 as X counts them
    posts = fit(text, X_BY_DATA).thread
    assert len(posts) == 3
    assert all(measure(post, X_BY_DATA) <= 280 for post in posts)
    assert "".join(post.split(" ", 1)[1] for post in posts) == text
