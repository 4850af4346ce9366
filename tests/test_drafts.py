"""From a complaint to a first draft: the complaint page, "Draft a reply", editing part by
part, and the company details replies are filled with."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.complaints.models import Complaint, ComplaintStatus
from app.drafts.models import Draft, DraftState, Revision
from app.extensions import db
from tests.fixtures.complaints import add_complaint
from tests.fixtures.web import editor_form, form_with, main_form, web_login

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def visible(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


@pytest.fixture
def agent_web(web, users):
    web_login(web, users["agent"].email)
    return web


def test_the_complaint_page_explains_the_analysis(agent_web, app):
    complaint_id = add_complaint(app)
    page = agent_web.get(f"/complaints/{complaint_id}")
    text = visible(page)
    assert "Billing" in text
    assert "Personal data" in text
    assert "aggressive" in text
    assert "because of" in text
    assert "charged me TWICE" in text
    assert '<mark class="evidence"' in page.text  # the words at fault are highlighted
    assert "Card: 4417" in text
    assert "Order: NW-50177" in text


@BOTH
def test_draft_a_reply_creates_revision_one_and_a_second_click_finds_it(agent_web, app):
    complaint_id = add_complaint(app)
    page = agent_web.get(f"/complaints/{complaint_id}")
    assert "taken to a private channel because of: Billing" in visible(page)
    editor = form_with(page, "/drafts").submit().follow()
    assert "Draft #" in editor.text
    assert "revision 1" in editor.text
    # The same click again (a second tab, a double submit) opens the same draft.
    again = form_with(page, "/drafts").submit().follow()
    assert "already has draft" in again.text
    with app.app_context():
        [draft] = db.session.scalars(sa.select(Draft)).all()
        assert draft.state == DraftState.DRAFT
        [revision] = draft.revisions
        assert set(revision.parts) == {"validate", "responsibility", "direction", "close_loop"}
        assert revision.template_ids["direction"].startswith("direction-")
        assert "4417" not in revision.text
        assert "NW-50177" not in revision.text
        assert db.session.get(Complaint, complaint_id).status == ComplaintStatus.IN_PROGRESS
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.draft_id == draft.id)
        ).all()
        assert actions == ["draft.created"]


def test_editing_a_part_saves_a_new_revision_and_keeps_the_old(agent_web, app):
    complaint_id = add_complaint(app)
    page = agent_web.get(f"/complaints/{complaint_id}")
    editor = form_with(page, "/drafts").submit().follow()
    form = editor_form(editor)
    form["part-validate"] = "Thanks for telling us, and sorry for the double charge."
    saved = form.submit().follow()
    assert "Saved as revision 2" in saved.text
    assert "Thanks for telling us, and sorry for the double charge." in saved.text
    with app.app_context():
        revisions = db.session.scalars(sa.select(Revision).order_by(Revision.number)).all()
        assert [r.number for r in revisions] == [1, 2]
        assert revisions[0].parts["validate"] != revisions[1].parts["validate"]
        assert revisions[1].text.startswith("Thanks for telling us")


def test_switching_to_another_wording_swaps_it_in_and_the_next_save_keeps_it(agent_web, app):
    """Without JavaScript "Use this" puts the wording in its box and saves nothing; the
    person's save makes the revision and remembers the wording it came from."""
    complaint_id = add_complaint(app)
    editor = form_with(agent_web.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    form = editor_form(editor)
    choice = form.fields["use"][0]
    part, variant_id = choice._value.split(":")
    swapped = form.submit("use", index=0)
    assert "it is not saved until you save" in swapped.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1
    saved = editor_form(swapped).submit().follow()
    assert "Saved as revision 2" in saved.text
    with app.app_context():
        revision = db.session.scalars(sa.select(Revision).where(Revision.number == 2)).one()
        assert revision.template_ids[part] == variant_id


def test_a_stale_editor_loses_nothing_and_shows_both_versions(agent_web, app):
    complaint_id = add_complaint(app)
    editor = form_with(agent_web.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    first = editor_form(editor)
    second = editor_form(agent_web.get(editor.request.path))
    first["part-close_loop"] = "First tab's words."
    first.submit().follow()
    second["part-close_loop"] = "Second tab's words, not to be lost."
    response = second.submit(status=409)
    assert "saved revision 2 while you were writing" in response.text
    assert "Second tab&#39;s words, not to be lost." in response.text
    assert "First tab&#39;s words." in response.text  # theirs, beside
    # Saving again as before is refused again: nothing quietly reverts the other save.
    again = editor_form(response)
    assert again["based_on"].value == "1"
    assert "Second tab" in agent_web.get(editor.request.path).text  # kept as a working copy
    again.submit(status=409)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 2
    # Saving on top of theirs, knowingly, makes revision 3.
    editor_form(response).submit("over").follow()
    with app.app_context():
        latest = db.session.scalars(sa.select(Revision).where(Revision.number == 3)).one()
        assert latest.parts["close_loop"] == "Second tab's words, not to be lost."


def test_gaps_the_agent_must_fill_are_marked_and_block(agent_web, app):
    complaint_id = add_complaint(app)
    editor = form_with(agent_web.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    form = editor_form(editor)
    form["part-direction"] = "Please quote {order_ref} when you call."
    page = form.submit().follow()
    assert "must be fixed before this reply can go further: Gap to fill in" in page.text
    with app.app_context():
        revision = db.session.scalars(sa.select(Revision).where(Revision.number == 2)).one()
        assert revision.has_blocking_findings
        gaps = [f for f in revision.findings if f["code"] == "unfilled_placeholder"]
        assert [(gap["severity"], gap["text"]) for gap in gaps] == [("block", "{order_ref}")]


def test_a_reviewer_reads_the_draft_but_cannot_change_it(web, app, users, client_for):
    complaint_id = add_complaint(app)
    agent = client_for("agent")
    response = agent.post(f"/complaints/{complaint_id}/drafts")
    draft_path = response.headers["Location"]
    reviewer = client_for("reviewer")
    page = reviewer.get(draft_path)
    assert page.status_code == 200
    assert "Only agents write replies." in page.get_data(as_text=True)
    assert reviewer.post(draft_path, data={"part-validate": "x", "based_on": 1}).status_code == 403
    # Nor hold a working copy of it; its author does, and no revision comes of it.
    kept = {"parts": {"validate": "Typed, not saved."}, "base_revision": 1}
    assert reviewer.post(draft_path + "/working-copy", json=kept).status_code == 403
    answer = agent.post(draft_path + "/working-copy", json=kept)
    assert answer.status_code == 200
    assert answer.get_json()["saved_at"] == "09:00"
    assert "Typed, not saved." in agent.get(draft_path).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1


def test_an_attack_shows_the_guidance_and_drafts_only_a_holding_reply(agent_web, app):
    complaint_id = add_complaint(
        app, "I hope your warehouse burns down with every one of you in it, subhuman scum"
    )
    page = agent_web.get(f"/complaints/{complaint_id}")
    assert "This reads as an attack" in page.text
    assert "Draft a reply" not in page.text
    editor = form_with(page, "/drafts").submit().follow()
    assert "Holding reply for PR" in editor.text


def test_the_inbox_shows_reading_badges_and_filters_by_flag(client_for, app):
    billing = add_complaint(app)
    calm = add_complaint(app, "Hi, is there a known fault with broadband in LS6? Thanks", "x")
    client = client_for("reviewer")
    page = client.get("/inbox").get_data(as_text=True)
    assert "high heat" in page
    assert "Billing" in page
    filtered = client.get("/inbox?flag=billing&status=open").get_data(as_text=True)
    assert f"/complaints/{billing}" in filtered
    assert f"/complaints/{calm}" not in filtered
    assert "1 complaint" in filtered


def test_admins_set_the_company_details_drafts_use(web, app, users):
    web_login(web, users["admin"].email)
    form = main_form(web.get("/admin/settings/company"))
    form["phone"] = "0808 157 0999"
    form["faq_url"] = "not a link"
    page = form.submit(status=400)
    assert "A full link starting with https://." in page.text
    form = main_form(page)
    form["faq_url"] = "https://help.northwind.example/faq"
    form["email"] = "care@northwind.example"
    assert form.submit().follow().status_code == 200
    complaint_id = add_complaint(app, "My heater caught fire and burned my hand", "facebook")
    editor = form_with(web.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    assert "0808 157 0999" in editor.text  # in the draft or among its other wordings
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(AuditEvent.action == "settings.company_updated")
            )
            == 1
        )


def test_analyse_again_records_what_changed(client_for, app):
    complaint_id = add_complaint(app)
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        complaint.flags, complaint.complainer_type = [], "passive"
        db.session.commit()
    response = client_for("agent").post(f"/complaints/{complaint_id}/analyze")
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        assert "billing" in complaint.flags
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "complaint.reanalyzed")
        ).one()
        assert event.details["before"]["complainer_type"] == "passive"
