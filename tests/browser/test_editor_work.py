"""The editor never loses work, is laid out for the task and has keys (issue 18), in a
real browser: what a person types is kept as a working copy and comes back; an applied fix
and a wording put in are undone with Ctrl+Z; "Use this" on a submitted draft moves nothing;
on a conflict both versions are side by side and nothing of the colleague's is quietly
reverted; the box, its marks and its findings are in one screenful on a laptop and on a
phone; "?" lists the keys, and one key from the inbox opens the first complaint."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.drafts.models import Draft, Review, Revision, WorkingCopy
from app.drafts.workflow import Action
from app.extensions import db
from tests.fixtures.browser import shoot
from tests.fixtures.workflow import act, person, start

TYPED = "Calm down, we DID send it!!!"
#: Whether leaving the page now would ask first (the browser's "Leave site?").
LEAVE = """() => {
  const leaving = new Event("beforeunload", {cancelable: true});
  window.dispatchEvent(leaving);
  return leaving.defaultPrevented;
}"""
#: Words typed into a box and the page left at once, before the autosave's pause is over.
TYPE_AND_LEAVE = (
    "(box, words) => { box.value += words;"
    " box.dispatchEvent(new Event('input', {bubbles: true})); return (" + LEAVE + ")(); }"
)


def standing(app, draft_id: int) -> tuple:
    """What the workflow reads: state, revision, revisions, live approvals, cooling-off."""
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        revisions = db.session.scalar(
            sa.select(sa.func.count()).select_from(Revision).where(Revision.draft_id == draft_id)
        )
        approvals = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Review)
            .where(Review.draft_id == draft_id, Review.voided_at.is_(None))
        )
        return draft.state, draft.current_revision, revisions, approvals, draft.cooling_off_until


def within(page, selector: str) -> bool:
    """Whether the element is wholly inside the viewport."""
    box = page.locator(selector).first.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
    )


def test_typed_text_is_kept_fixes_and_wordings_undo_and_nothing_in_the_workflow_moves(
    app, users, live_server, page_for
):
    app.config["EDITOR_AUTOSAVE_MS"] = 50
    with app.app_context():
        draft_id = start(app, users)
        act(draft_id, Action.SUBMIT, person(users, "agent"))
        act(draft_id, Action.APPROVE, person(users, "reviewer"))
    before = standing(app, draft_id)
    page = page_for(users["agent"])
    page.set_viewport_size({"width": 1280, "height": 800})

    # The inbox (where signing in lands): "?" lists the keys, Esc closes the list, "o"
    # opens the first complaint.
    if page.locator("#inbox-list").count() == 0:
        page.goto(live_server + "/")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()
    page.keyboard.press("o")
    page.wait_for_url("**/complaints/*")

    page.goto(f"{live_server}/drafts/{draft_id}")
    page.wait_for_selector("#draft-form[data-autosave=on]")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_contain_text("Save as a new revision")
    page.keyboard.press("Escape")

    # A fix shows its result before it applies; the Undo button beside it brings the
    # words back (and the finding with them).
    validate, panel = page.locator("#part-validate"), page.locator("#tone-panel")
    written = "Thanks for waiting. The refund, as stated, takes 5 days."
    validate.fill(written)
    item = panel.locator(".finding-item", has_text="Dismissive")
    expect(item.locator(".fix-preview del")).to_have_text("The refund, as stated, takes 5 days.")
    expect(item.locator(".fix-preview ins")).to_have_text("The refund takes 5 days.")
    assert validate.input_value() == written  # nothing changes until the agent applies it
    item.get_by_role("button", name="Apply").click()
    assert validate.input_value() == "Thanks for waiting. The refund takes 5 days."
    expect(panel).not_to_contain_text("Dismissive")
    page.get_by_role("button", name="Undo").click()
    assert validate.input_value() == written
    expect(panel).to_contain_text("Dismissive")
    expect(page.get_by_role("button", name="Undo")).to_be_hidden()

    # And with Ctrl+Z in the box, as any edit.
    validate.fill(TYPED)
    expect(item).to_contain_text("Calm down")
    item.get_by_role("button", name="Apply").click()
    assert validate.input_value() == "We DID send it!!!"
    expect(page.locator("#fix-undo")).to_contain_text("Fix applied (Dismissive)")
    page.keyboard.press("Control+z")
    assert validate.input_value() == TYPED

    # At 1280x800 the box, its marks and its findings are in one screenful.
    page.keyboard.press("Alt+1")
    expect(page.locator("#assembled mark.finding").first).to_have_text("Calm down")
    expect(item).to_have_class(re.compile("of-focused-part"))  # the box's own findings
    validate.scroll_into_view_if_needed()
    for selector in ("#part-validate", "#assembled mark.finding", "#tone-panel .finding-item"):
        assert within(page, selector), selector
    shoot(page, "editor-work-desktop", full_page=False)

    # "Use this" swaps the wording into its box and saves nothing; Ctrl+Z brings it back.
    # On this submitted (and approved) draft nothing in the workflow moves.
    direction = page.locator("#part-direction")
    written = direction.input_value()
    fieldset = page.locator("fieldset.part", has=direction)
    fieldset.get_by_text("Other wordings").click()
    fieldset.get_by_role("button", name="Use this").first.click()
    swapped = direction.input_value()
    assert swapped != written
    expect(page.locator("#fix-undo")).to_contain_text("Wording changed")
    page.keyboard.press("Control+z")
    assert direction.input_value() == written
    expect(page.locator("#autosave-status")).to_contain_text("Kept as you typed")
    assert standing(app, draft_id) == before
    # Leaving asks first only while something typed is not kept yet.
    assert not page.evaluate(LEAVE)
    assert page.locator("#part-close_loop").evaluate(TYPE_AND_LEAVE, " Thanks.")

    # Left and opened again: the words are back, said plainly; still nothing moved.
    page.goto(live_server + "/account")
    page.goto(f"{live_server}/drafts/{draft_id}")
    expect(page.locator("#restored-notice")).to_contain_text("not yet saved as a revision")
    assert page.locator("#part-validate").input_value() == TYPED
    assert page.locator("#part-direction").input_value() == written
    assert page.locator("#part-close_loop").input_value().endswith(" Thanks.")
    assert standing(app, draft_id) == before

    # On a phone the reply and its findings come right under the box being edited.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#part-validate").focus()
    page.locator("#part-validate").evaluate("box => box.closest('fieldset').scrollIntoView()")
    for selector in ("#part-validate", "#assembled mark.finding", "#tone-panel .finding-item"):
        assert within(page, selector), selector
    shoot(page, "editor-work-phone", full_page=False)


def test_a_conflict_shows_both_versions_and_keeps_the_colleagues_unless_chosen(
    app, users, live_server, page_for, scan
):
    with app.app_context():
        draft_id = start(app, users)
    editor = f"{live_server}/drafts/{draft_id}"
    colleague, me = page_for(users["agent"]), page_for(users["admin"])
    me.goto(editor)
    colleague.goto(editor)
    colleague.locator("#part-close_loop").fill("Their words, saved first.")
    colleague.keyboard.press("Control+s")
    colleague.get_by_text("Saved as revision 2").wait_for()

    me.locator("#part-close_loop").fill("My words.")
    me.get_by_role("button", name="Save as a new revision").click()
    notice = me.locator("#conflict-notice")
    expect(notice).to_contain_text("Alex Agent saved revision 2 while you were writing")
    theirs, mine = me.locator("#theirs-close_loop"), me.locator("#yours-close_loop")
    expect(theirs).to_have_text("Their words, saved first.")
    expect(mine).to_have_text("My words.")
    # Both boxes measured at the same instant (two calls could straddle a scroll).
    side_by_side = me.evaluate(
        """() => ["theirs-close_loop", "yours-close_loop"].map(
            (id) => document.getElementById(id).getBoundingClientRect().toJSON())"""
    )
    assert side_by_side[0]["x"] < side_by_side[1]["x"]
    assert abs(side_by_side[0]["y"] - side_by_side[1]["y"]) < 5
    assert not scan(me, "editor-conflict").forbidden

    # Saving "as before" is not offered and Ctrl+S saves nothing over theirs.
    expect(me.get_by_role("button", name="Save as a new revision")).to_have_count(0)
    me.keyboard.press("Control+s")
    expect(me.locator("#autosave-status")).to_contain_text("Choose below")
    with app.app_context():
        assert db.session.get(Draft, draft_id).current_revision == 2

    # Theirs in the box, a word of mine added, saved on top of theirs knowingly.
    me.get_by_role("button", name="Put theirs in the box").click()
    box = me.locator("#part-close_loop")
    assert box.input_value() == "Their words, saved first."
    box.press("End")
    box.type(" And mine.")
    me.get_by_role("button", name="Save the boxes on top of theirs").click()
    me.get_by_text("Saved as revision 3").wait_for()
    with app.app_context():
        draft = db.session.get(Draft, draft_id)
        latest = db.session.scalars(
            sa.select(Revision).where(Revision.draft_id == draft_id, Revision.number == 3)
        ).one()
        assert draft.current_revision == 3
        assert latest.parts["close_loop"] == "Their words, saved first. And mine."
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkingCopy)) == 0
