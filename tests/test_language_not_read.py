"""A complaint in a language Composure has no rules for (issue 16, done-when 4): it is not
read (never guessed with the English rules), it says so everywhere it is shown, every
reply to it needs sign-off and a reviewer who reads the language; the agent can correct a
detected language. Through the pages (WebTest, CSRF on) and the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from webtest import TestApp

from app.analysis import analyze
from app.analysis.rules import languages_with_rules
from app.audit.models import AuditEvent
from app.complaints.models import Complaint
from app.drafts.models import Draft
from app.drafts.workflow import Action
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.complaints import add_complaint
from tests.fixtures.web import form_with, main_form, web_login, words
from tests.fixtures.workflow import act, person, refused, start

#: Charged twice, a lawyer threatened, a phone number and an order: in French, which has no
#: analysis rules (no app/analysis/rules/fr/).
FRENCH = (
    "@NorthwindHome Vous m'avez facturé DEUX FOIS la commande #NW-50177 !!! Si ce n'est "
    "pas remboursé cette semaine, mon avocat vous contactera. Écrivez-moi à "
    "claire.dubois@example.fr."
)
ENGLISH = "@NorthwindHome charged twice for my sofa. My solicitor will be in touch about this."


def test_french_is_a_language_without_rules():
    assert "fr" not in languages_with_rules()
    assert "en" in languages_with_rules()


def test_a_text_in_a_language_without_rules_is_not_read_but_its_personal_data_is():
    result = analyze(FRENCH, channel="x")
    assert result.language == "fr"
    assert not result.language_supported
    assert not result.flags_checked
    not_read = (result.heat, result.heat_label, result.complainer_type, result.category)
    assert not_read == (None, None, None, None)
    assert result.kind is None
    # Personal data is found by its format in any language; no other flag was checked.
    assert result.flags == ("personal_data",)
    found = {(entity.kind, entity.text) for entity in result.entities}
    assert ("email", "claire.dubois@example.fr") in found
    assert ("order_ref", "NW-50177") in found
    assert " ".join(item.text for item in result.evidence["shouting"]) == "DEUX FOIS"
    assert result.evidence["punctuation"][0].text == "!!!"
    assert any("no analysis rules for French" in notice for notice in result.notices)


def test_an_english_text_set_to_french_is_not_read_and_french_set_to_english_is():
    assert analyze(ENGLISH, language="fr").heat_label is None
    read = analyze(ENGLISH, language="en")
    assert read.language_supported
    assert "legal_threat" in read.flags


@pytest.fixture
def people(app, users) -> dict[str, TestApp]:
    out = {}
    for number, role in enumerate(("agent", "reviewer", "signoff", "admin"), start=20):
        web = TestApp(
            app, extra_environ={"HTTP_HOST": "composure.test", "REMOTE_ADDR": f"203.0.113.{number}"}
        )
        assert web_login(web, users[role].email).status_int == 302
        out[role] = web
    return out


def test_a_french_complaint_shows_not_read_everywhere_and_needs_signoff(app, users, people):
    """Done-when 4, through the pages: the inbox, the complaint page, the draft page."""
    complaint_id = add_complaint(app, FRENCH)
    agent = people["agent"]

    inbox = words(agent.get("/?status=all"))
    assert "not read · French" in inbox
    row = inbox[inbox.index("not read · French") - 400 : inbox.index("not read · French") + 200]
    assert "low heat" not in row
    assert "constructive" not in row

    page = words(agent.get(f"/complaints/{complaint_id}"))
    assert "Heat and type not read: Composure has no rules for French — read it yourself" in page
    assert "Personal data (found by its format); the others not checked" in page
    assert "none: nothing sensitive found" not in page
    assert "low" not in page.split("What the analysis found")[1].split("Reply")[0].split()
    # No templates in French: the draft offered is in English, and the agent is told.
    assert "no reply templates in French yet, so this draft is in English" in page

    with app.app_context():
        draft_id = start(app, users, FRENCH)
    editor = words(agent.get(f"/drafts/{draft_id}"))
    assert (
        "Sign-off needed: Composure cannot read French, so nothing sensitive could be ruled out"
        in editor
    )
    assert "No sign-off needed" not in editor
    assert "Legal sign-off will be needed" in editor


def test_the_api_says_the_language_is_not_supported_with_heat_and_type_null(api_call, app):
    complaint_id = add_complaint(app, FRENCH)
    body = api_call("GET", f"/api/v1/complaints/{complaint_id}").get_json()
    assert body["language"] == "fr"
    assert body["language_supported"] is False
    assert body["flags_checked"] is False
    assert body["heat"] is None
    assert body["heat_label"] is None
    assert body["complainer_type"] is None
    assert body["category"] is None
    assert body["kind"] is None
    assert body["flags"] == ["personal_data"]  # by its format; the others not checked

    analysed = api_call("POST", "/api/v1/analyze", json={"text": FRENCH}).get_json()
    assert analysed["language_supported"] is False
    assert analysed["heat"] is None
    assert analysed["complainer_type"] is None
    spec = api_call("GET", "/api/v1/openapi.json").get_json()
    analysis = spec["components"]["schemas"]["Analysis"]["properties"]
    assert "not read" in analysis["heat_label"]["description"]
    assert "language_supported" in analysis


def test_sign_off_for_a_complaint_nobody_could_read_is_a_policy_setting(app, users):
    from app.drafts.policy import WorkflowPolicy, WorkflowPolicyError, clean

    with app.app_context():
        complaint = db.session.get(Complaint, add_complaint(app, FRENCH))
        reasons = WorkflowPolicy().signoff_reasons(complaint, [])
        assert reasons[0] == {"kind": "language", "value": "fr", "group": "legal"}
        pr = clean({"signoff.unread_language": "pr"}, WorkflowPolicy())
        assert pr.signoff_reasons(complaint, [])[0]["group"] == "pr"
        with pytest.raises(WorkflowPolicyError):  # never "nobody"
            clean({"signoff.unread_language": "none"}, WorkflowPolicy())


def test_only_a_reviewer_who_reads_the_language_approves(app, users, people):
    with app.app_context():
        draft_id = start(app, users, FRENCH)
        act(draft_id, Action.SUBMIT, person(users, "agent"))
        why = refused("language_not_read", draft_id, Action.APPROVE, person(users, "reviewer"))
        assert "Composure cannot read French" in why
        assert "reviewer who reads French" in why

    # The review page says why, and offers no Approve button.
    review = people["reviewer"].get(f"/drafts/{draft_id}/review")
    assert "reviewer who reads French" in words(review)
    assert not any(
        getattr(field, "_value", None) == "approve"
        for form in review.forms.values()
        for field in form.fields.get("action", [])
    )

    # They tick French on their account page.
    account = people["reviewer"].get("/account")
    form = form_with(account, "/account/languages")
    form.set("languages", True, index=_index(form, "fr"))
    assert "Languages you read: French." in words(form.submit().follow())

    with app.app_context():
        draft = act(draft_id, Action.APPROVE, person(users, "reviewer"))
        assert draft.state.value == "approved"
        # Still waits for legal's sign-off: nothing sensitive could be ruled out.
        later = T0 + timedelta(hours=1)  # cooling-off is over
        assert "Needs sign-off by legal" in refused(
            "needs_signoff", draft_id, Action.PUBLISH, person(users, "agent"), now=later
        )
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "user.languages_set")
        ).all()
        assert [event.details["after"] for event in events] == [["fr"]]


def test_an_admin_sets_the_languages_someone_reads(app, users, people):
    page = people["admin"].get(f"/admin/users/{users['reviewer'].id}")
    form = form_with(page, "/languages")
    form.set("languages", True, index=_index(form, "nl"))
    form.submit().follow()
    with app.app_context():
        assert person(users, "reviewer").languages == ["nl"]


def _index(form, value: str) -> int:
    return next(
        index
        for index, field in enumerate(form.fields["languages"])
        if field._value == value  # checkbox values
    )


def test_the_agent_corrects_the_language_and_the_complaint_is_read_again(app, users, people):
    complaint_id = add_complaint(app, ENGLISH)
    agent = people["agent"]
    page = agent.get(f"/complaints/{complaint_id}")
    form = form_with(page, "/language")
    form["language"] = "fr"
    after = words(form.submit().follow())
    assert "Language set to French: Composure has no rules for it, so it is not read." in after
    assert "French (set by Alex Agent; detected: English)" in after
    assert "Heat and type not read" in after
    assert "Flags not checked" in after  # no personal data in it either

    form = form_with(agent.get(f"/complaints/{complaint_id}"), "/language")
    form["language"] = "en"
    after = words(form.submit().follow())
    assert "English (set by Alex Agent" in after
    assert "Legal threat" in after

    with app.app_context():
        complaint = db.session.get(Complaint, complaint_id)
        assert complaint.language == "en"
        assert complaint.detected_language == "en"
        assert complaint.language_set_by_id == users["agent"].id
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "complaint.language_corrected")
            .order_by(AuditEvent.id)
        ).all()
        assert [event.details["after"]["language"] for event in events] == ["fr", "en"]
        assert events[0].details["after"]["language_supported"] is False
        # "Analyse again" keeps the language the agent set.
        from app.complaints import reading

        complaint.language_set_by_id = users["agent"].id
        reading.reanalyze(db.session, complaint, actor=None, now=complaint.language_set_at)
        assert complaint.language == "en"


def test_the_api_corrects_the_language(api_call, app):
    complaint_id = add_complaint(app, FRENCH)
    response = api_call(
        "PUT", f"/api/v1/complaints/{complaint_id}/language", json={"language": "en"}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["language"] == "en"
    assert body["language_supported"] is True
    assert body["detected_language"] == "fr"
    assert body["language_set_by"] == "Alex Agent"
    assert body["heat_label"] in ("low", "medium", "high")
    bad = api_call("PUT", f"/api/v1/complaints/{complaint_id}/language", json={"language": "xx"})
    assert bad.status_code == 422
    assert "language" in bad.get_json()["error"]["fields"]


@pytest.fixture
def api_call(plain_app, token_for):
    client = plain_app.test_client()

    def call(method: str, path: str, role: str = "agent", **kwargs):
        headers = {"Authorization": f"Bearer {token_for(role)}"}
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


def test_a_draft_is_never_without_sign_off_for_an_unread_complaint(app, users):
    with app.app_context():
        draft_id = start(app, users, FRENCH)
        act(draft_id, Action.SUBMIT, person(users, "agent"))
        draft = db.session.get(Draft, draft_id)
        assert draft.requires_signoff
        assert draft.signoff_reasons[0]["kind"] == "language"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_migration_0010_clears_readings_guessed_with_the_english_rules(ctx):
    """Before 0010 a French complaint was read with the English rules and stored as "low
    heat · constructive"; the migration clears the guess and `flask complaints analyze`
    stores "not read"."""
    from flask_migrate import downgrade, upgrade

    from app.complaints import reading
    from app.complaints.models import ComplaintFlag

    french, english = add_complaint(ctx, FRENCH), add_complaint(ctx, ENGLISH)
    db.session.remove()
    downgrade(revision="0009")
    guessed = {"language_supported": False, "notices": ["read with the English rules"]}
    db.session.execute(
        sa.text(
            "UPDATE complaints SET heat = 0, heat_label = 'low', complainer_type = "
            "'constructive', category = 'billing', flags = :flags, analysis_notes = :notes "
            "WHERE id = :id"
        ),
        {"flags": '["billing"]', "notes": json.dumps(guessed), "id": french},
    )
    db.session.execute(
        sa.text("INSERT INTO complaint_flags (complaint_id, flag) VALUES (:id, 'billing')"),
        {"id": french},
    )
    db.session.commit()
    upgrade()

    complaint = db.session.get(Complaint, french)
    assert (complaint.heat, complaint.heat_label, complaint.complainer_type) == (None, None, None)
    assert complaint.flags == []
    assert complaint.analyzed_at is None
    assert complaint.detected_language == "fr"
    assert (
        db.session.scalars(
            sa.select(ComplaintFlag).where(ComplaintFlag.complaint_id == french)
        ).all()
        == []
    )
    kept = db.session.get(Complaint, english)
    assert kept.heat_label is not None
    assert "legal_threat" in kept.flags

    reading.reanalyze_all(db.session, now=T0, checkpoint=db.session.flush, only_missing=True)
    assert complaint.analyzed_at is not None
    assert complaint.heat_label is None
    assert complaint.analysis_notes["language_supported"] is False


def test_the_admin_chooses_who_signs_off_what_nobody_could_read(app, people):
    page = people["admin"].get("/admin/settings/workflow")
    assert "Sign-off for complaints Composure cannot read" in words(page)
    form = main_form(page)
    assert form["signoff.unread_language"].value == "legal"
    assert "none" not in [value for value, *_ in form["signoff.unread_language"].options]
    form["signoff.unread_language"] = "pr"
    form.submit().follow()
    with app.app_context(), app.test_request_context():
        from app.web.services import workflow_policy

        assert workflow_policy().signoff_unread_language == "pr"
