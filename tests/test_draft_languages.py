"""Drafts in the complaint's language (issue 16): built in it by default, in another one
when the agent chooses, in English with a note where there are no templates; what makes a
part an apology and how to reach the company privately, per language."""

from __future__ import annotations

import shutil

import pytest

from app.core.datafile import DataFileError
from app.drafts.models import Draft
from app.drafts.response_templates import load_library
from app.extensions import db
from tests.fixtures.complaints import add_complaint
from tests.fixtures.templates import LIBRARY_DIR
from tests.fixtures.web import form_with, main_form, web_login, words

#: A Dutch complaint: Dutch reply templates exist, whether or not Dutch analysis rules do.
DUTCH = (
    "@NorthwindHome Mijn pakket is al twee weken onderweg en niemand reageert op mijn "
    "berichten. Wanneer krijg ik eindelijk mijn bestelling?"
)


@pytest.mark.parametrize(
    ("language", "apology", "not_one"),
    [
        ("en", "We're so sorry about this.", "Unfortunately it is late."),
        ("nl", "Het spijt ons dat dit gebeurd is.", "Helaas is het te laat."),
        ("de", "Das tut mir leid.", "Leider ist es zu spät."),
        ("es", "Lo sentimos mucho.", "Por desgracia llega tarde."),
        ("pl", "Przepraszamy za opóźnienie.", "Niestety jest za późno."),
        ("lv", "Atvainojamies par kavēšanos.", "Diemžēl tas kavējas."),
    ],
)
def test_what_makes_a_part_an_apology_is_in_each_languages_own_words(language, apology, not_one):
    library = load_library(LIBRARY_DIR)
    assert library.apologises(language, apology)
    assert not library.apologises(language, not_one)


def test_a_bad_apology_word_names_the_file_and_line(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(LIBRARY_DIR, folder)
    path = folder / "de" / "apology.yaml"
    path.write_text('language: de\napology:\n  - "entschuldig*"\n  - "tut * leid"\n')
    with pytest.raises(DataFileError, match=r"apology.yaml:4: 'tut \* leid'"):
        load_library(folder)


def test_a_draft_is_built_in_the_complaints_language_and_the_agent_can_choose_another(
    app, users, web
):
    complaint_id = add_complaint(app, DUTCH)
    assert web_login(web, users["agent"].email).status_int == 302
    page = web.get(f"/complaints/{complaint_id}")
    start = form_with(page, "/drafts")
    assert start["language"].value == "nl"  # the complaint's language, by default

    start["language"] = "de"
    editor = start.submit().follow()
    assert "Built in German; the complaint is in Dutch." in words(editor)
    with app.app_context():
        draft = db.session.scalar(db.select(Draft).where(Draft.complaint_id == complaint_id))
        assert draft.language == "de"
        draft_id = draft.id

    again = form_with(editor, "/language")
    again["language"] = "nl"
    editor = again.submit().follow()
    assert "Built in Dutch. Saved as revision 2." in words(editor)
    assert "Built in Dutch." in words(editor)
    with app.app_context():
        assert db.session.get(Draft, draft_id).language == "nl"


def test_a_complaint_in_a_language_without_templates_gets_an_english_draft_with_a_note(
    app, users, web
):
    complaint_id = add_complaint(
        app, "@NorthwindHome Ma commande n'est jamais arrivée et personne ne me répond."
    )
    web_login(web, users["agent"].email)
    page = words(web.get(f"/complaints/{complaint_id}"))
    assert "There are no reply templates in French yet, so this draft is in English" in page


def test_the_dm_wording_is_set_per_language_and_english_is_the_fallback(app, users, web):
    web_login(web, users["admin"].email)
    form = main_form(web.get("/admin/settings/company"))
    form["dm_instruction.nl"] = "stuur ons een DM met je ordernummer"
    form["dm_instruction.de"] = "schreiben Sie uns eine DM {oops}"
    page = form.submit(status=400)
    assert "Braces and [[ ]] are reserved" in words(page)
    form = main_form(page)
    form["dm_instruction.de"] = ""
    form.submit().follow()
    with app.app_context():
        from app.web.services import company

        with app.test_request_context():
            details = company()
        assert details.dm_instruction_in("nl") == "stuur ons een DM met je ordernummer"
        assert details.dm_instruction_in("de") == details.dm_instruction  # English fallback


def test_the_api_builds_a_draft_in_the_language_asked_for(app, token_for):
    complaint_id = add_complaint(app, DUTCH)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for('agent')}"}
    composed = client.post(
        "/api/v1/drafts/compose", headers=headers, json={"complaint_id": complaint_id}
    ).get_json()
    assert composed["language"] == "nl"  # the complaint's, by default
    created = client.post(
        f"/api/v1/complaints/{complaint_id}/drafts", headers=headers, json={"language": "es"}
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["language"] == "es"
