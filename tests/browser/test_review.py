"""The review page in a real browser: selecting words marks the passage a comment is about,
and the cooling-off counts down."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.drafts import workflow
from app.drafts.models import Draft
from app.drafts.workflow import Action
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.workflow import POLICY, edit, person, revision_text, start

#: Selects `words` in the review text as a mouse would, and says whether it found them.
SELECT = """(words) => {
  const root = document.getElementById("review-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(words);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + words.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    root.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
    return true;
  }
  return false;
}"""


def test_selecting_words_in_the_reply_marks_the_passage_and_cooling_off_counts_down(
    app, users, live_server, page_for
):
    with app.app_context():
        draft_id = start(app, users)
        agent = person(users, "agent")
        edit(db.session.get(Draft, draft_id), {"validate": "Thanks 👍 for telling us."}, agent)
        workflow.transition(
            db.session,
            db.session.get(Draft, draft_id),
            Action.SUBMIT,
            actor=agent,
            now=T0,
            revision_number=2,
            policy=POLICY,
        )
        db.session.commit()
    text = revision_text(app, draft_id)
    page = page_for(users["reviewer"], width=390)
    page.goto(f"{live_server}/drafts/{draft_id}/review")

    assert re.fullmatch(r"\(\d+ min \d+ s left\)", page.locator(".countdown").first.inner_text())
    assert page.evaluate(SELECT, "telling us")
    # Offsets count characters as the server does: the emoji before the words is one.
    assert page.input_value("#anchor_start") == str(text.index("telling us"))
    assert page.input_value("#anchor_end") == str(text.index("telling us") + len("telling us"))
    assert page.input_value("#quote") == "telling us"
    page.fill("#comment", "Say what they told us.")
    page.get_by_role("button", name="Ask for changes").click()
    page.get_by_text("Sent back to Alex Agent").wait_for()
    with app.app_context():
        from app.drafts.models import Review

        review = db.session.scalars(sa.select(Review)).one()
        assert text[review.anchor_start : review.anchor_end] == "telling us"
