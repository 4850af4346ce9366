"""The screens in six languages (issue 19): the translation check over the screens done so
far (tests/fixtures/translations.py lists them), the language and time zone each request is
shown in, and a person's profile that sets them."""

from __future__ import annotations

import html
import re
from functools import cache
from html.parser import HTMLParser

import sqlalchemy as sa
import yaml

from app.analysis.kind import KIND_LABELS
from app.analysis.rules import FLAG_LABELS
from app.audit.models import AuditEvent
from app.drafts import workflow
from app.drafts.models import Draft
from app.extensions import db
from app.tone.catalogue import CODE_LABELS
from app.tone.messages import message_in
from app.web.words import CODE_WORDS, FLAG_WORDS, KIND_WORDS
from tests.fixtures.complaints import LEGAL, add_complaint
from tests.fixtures.translations import (
    CATALOGS,
    LANGUAGES,
    TEMPLATES,
    TRANSLATED_TEMPLATES,
    Unmarked,
    catalog_problems,
    extracted_messages,
    read_catalog,
    unmarked_text,
)
from tests.fixtures.users import get_user, login
from tests.fixtures.workflow import edit, start


def test_the_translated_screens_are_marked_and_every_language_translates_them():
    """Scope: only the templates in TRANSLATED_TEMPLATES (and the modules listed beside
    them); every other screen is still English and not checked yet."""
    unmarked = [
        str(u) for name in TRANSLATED_TEMPLATES for u in unmarked_text(TEMPLATES / name, name)
    ]
    assert unmarked == []
    messages = list(extracted_messages())
    assert len(messages) > 100
    assert catalog_problems(messages) == []
    # The analysis' labels, as people read them, have a word for every key.
    assert FLAG_WORDS.keys() == FLAG_LABELS.keys()
    assert KIND_WORDS.keys() == KIND_LABELS.keys()
    assert CODE_WORDS.keys() == CODE_LABELS.keys()
    # Each language's glossary names the same terms.
    glossaries = {
        lang: yaml.safe_load((CATALOGS / lang / "glossary.yaml").read_text()) for lang in LANGUAGES
    }
    terms = {lang: [t["en"] for t in g["terms"]] for lang, g in glossaries.items()}
    assert all(names == terms["nl"] for names in terms.values())
    assert "cooling-off" in terms["nl"]


def test_a_planted_unmarked_string_fails_the_check_naming_the_file_and_line(tmp_path):
    planted = tmp_path / "planted.html"
    planted.write_text(
        '{% extends "base.html" %}\n'
        "{% block content %}<h1>{{ _('Inbox') }}</h1>\n"
        "<p>Hello {{ name }}</p>\n"
        '<a href="#" title="Open it">{% trans %}Marked{% endtrans %}</a> · Composure\n'
        "{% endblock %}\n"
    )
    found = unmarked_text(planted, "planted.html")
    assert found == [
        Unmarked("planted.html", 3, "Hello"),
        Unmarked("planted.html", 4, "Open it"),
    ]
    assert str(found[0]) == "planted.html:3: 'Hello' is not marked for translation"
    # A marked message no catalog has yet fails the other half of the check, per language.
    problems = catalog_problems([("templates/planted.html", 2, "Say hello")], ["nl", "lv"])
    assert problems == [
        "nl: templates/planted.html:2: 'Say hello' is missing from the catalog (make messages)",
        "lv: templates/planted.html:2: 'Say hello' is missing from the catalog (make messages)",
    ]


def _lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_the_language_is_the_profiles_else_the_browsers_else_english(plain_app, users):
    client = plain_app.test_client()
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert _lang(german) == "de"
    assert "Anmelden" in german.get_data(as_text=True)
    french = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert _lang(french) == "en"
    assert ">Sign in</h1>" in french.get_data(as_text=True)
    assert _lang(client.get("/login")) == "en"
    # The API's error messages follow Accept-Language too.
    missing = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "de"})
    assert missing.status_code == 404
    assert missing.get_json()["error"] == {
        "code": "not_found",
        "message": "Hier gibt es nichts.",
        "fields": {},
    }
    # The person's profile beats the browser.
    with plain_app.app_context():
        get_user(users["agent"]).language = "pl"
        db.session.commit()
    login(client, users["agent"].email)
    polish = client.get("/inbox", headers={"Accept-Language": "de"})
    assert _lang(polish) == "pl"
    assert "Skrzynka" in polish.get_data(as_text=True)


@cache
def _marked_messages() -> tuple:
    return tuple(extracted_messages())


@cache
def _english_fragments(language: str = "nl") -> frozenset[str]:
    """The English words of the marked messages (placeholders and tags taken out) that
    `language` does not share: none of them may show on a page in that language."""
    dutch = read_catalog(language)
    fragments = set()
    for _where, _line, msgid in _marked_messages():
        for english in msgid if isinstance(msgid, tuple) else [msgid]:
            entry = dutch.get(msgid)
            translated = " ".join(
                entry.string if isinstance(entry.string, tuple) else [entry.string]
            )
            for part in re.split(r"%\(\w+\)s|<[^>]+>", html.unescape(english)):
                part = part.strip(" .,:;()“”—?")
                if re.search(r"[A-Za-z]{3}", part) and part not in translated:
                    fragments.add(part)
    return frozenset(fragments)


def _visible(page: str) -> list[str]:
    """The text of the page and the attributes people read, chunk by chunk."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    chunks = re.findall(r'(?:title|aria-label|placeholder|alt)="([^"]*)"', body)
    chunks += re.split(r"<[^>]+>", body)
    return [" ".join(html.unescape(c).split()) for c in chunks if c.strip()]


def test_a_dutch_sign_in_and_inbox_show_no_english_and_times_in_the_persons_zone(plain_app, users):
    """Cheap, no browser: the marked strings' English must not be on the Dutch pages.
    Data (names, complaint texts, channel names) and the parts of the inbox not marked yet
    (the clock badges of complaints/_badges.html, status and flag labels) are not looked at."""
    add_complaint(plain_app, "My parcel never came and nobody answers.")
    with plain_app.app_context():
        person = get_user(users["agent"])
        person.language, person.time_zone = "nl", "Pacific/Auckland"
        db.session.commit()
    client = plain_app.test_client()
    fragments = _english_fragments()
    sign_in = client.get("/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    login(client, users["agent"].email)
    inbox = client.get("/inbox", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="nl"' in inbox
    assert "1 klacht" in inbox
    assert "tijden in Pacific/Auckland" in inbox
    # Received at 09:00 UTC on 23 November: 22:00 in Auckland, the month in Dutch.
    assert 'title="23 nov 2026, 22:00"' in inbox
    for page in (sign_in, inbox):
        english = [
            (fragment, chunk)
            for chunk in _visible(page)
            for fragment in fragments
            if (" " in fragment and fragment in chunk) or fragment == chunk
        ]
        assert english == []


def test_the_account_page_sets_language_and_time_zone_audited_and_refuses_unknown_ones(
    client_for, plain_app, users
):
    client = client_for("agent")
    page = client.get("/account").get_data(as_text=True)
    assert '<option value="nl" lang="nl">Nederlands</option>' in page
    assert '<option value="Europe/Riga">Europe/Riga</option>' in page
    client.post("/account/profile", data={"language": "lv", "time_zone": "Europe/Riga"})
    riga = client.get("/account").get_data(as_text=True)
    assert 'lang="lv"' in riga
    assert '<option value="Europe/Riga" selected>' in riga
    for bad in ({"language": "fr", "time_zone": ""}, {"language": "", "time_zone": "Mars/Base"}):
        refused = client.post("/account/profile", data=bad, follow_redirects=True)
        assert "Unknown" in refused.get_data(as_text=True)
    with plain_app.app_context():
        person = get_user(users["agent"])
        assert (person.language, person.time_zone) == ("lv", "Europe/Riga")
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "user.profile_set")
        ).all()
        assert [e.details["after"] for e in events] == [
            {"language": "lv", "time_zone": "Europe/Riga"}
        ]


class _TextOutsideData(HTMLParser):
    """The text of a page and the attributes people read, leaving out <script>, <style>
    and every element marked translate="no" (data: names, complaint and reply texts)."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping: list[str] = []  # the open elements whose text is not read

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self.skipping or values.get("translate") == "no" or tag in {"script", "style"}:
            if tag not in self.VOID:
                self.skipping.append(tag)
            return
        self.chunks += [v for k, v in attrs if k in {"title", "aria-label", "placeholder"} and v]

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.chunks.append(" ".join(data.split()))


def _outside_data(page: str) -> list[str]:
    reader = _TextOutsideData()
    reader.feed(page)
    return reader.chunks


def _english_left(page: str, language: str) -> list[tuple[str, str]]:
    """The marked messages' English (that `language` does not share) on the page, outside
    the data."""
    fragments = _english_fragments(language)
    return [
        (fragment, chunk)
        for chunk in _outside_data(page)
        for fragment in fragments
        if (" " in fragment and fragment in chunk) or fragment == chunk
    ]


def test_a_polish_author_and_a_dutch_reviewer_read_the_draft_screens_in_their_language(
    plain_app, users, client_for
):
    """The editor and the review page in Polish and Dutch: no marked message left in
    English outside the data (translate="no"), the flash after submitting in Polish, and
    the English reply's tone findings told in Dutch on the Dutch review page (the words
    found stay as written)."""
    with plain_app.app_context():
        draft_id = start(plain_app, users, LEGAL)
        draft = db.session.get(Draft, draft_id)
        parts = {**workflow.current_revision(db.session, draft).parts}
        parts["validate"] = "WE ARE SO SORRY ABOUT THIS!!! " + parts["validate"]
        edit(draft, parts, get_user(users["agent"]))
        get_user(users["agent"]).language = "pl"
        get_user(users["reviewer"]).language = "nl"
        db.session.commit()
    author, reviewer = client_for("agent"), client_for("reviewer")

    editor = author.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert 'lang="pl"' in editor
    assert "Kontrola tonu" in editor
    assert "Zapisz i wyślij do weryfikacji" in editor
    assert _english_left(editor, "pl") == []
    submitted = author.post(
        f"/drafts/{draft_id}/act",
        data={"action": "submit", "revision": "2", "from": "editor"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Wysłano. Czas do namysłu do 09:" in submitted
    assert "Poproszono też o zatwierdzenie przez Legal." in submitted
    assert _english_left(submitted, "pl") == []

    review = reviewer.get(f"/drafts/{draft_id}/review").get_data(as_text=True)
    assert 'lang="nl"' in review
    assert f"Concept #{draft_id} controleren" in review
    assert _english_left(review, "nl") == []
    # The shouting finding of the English reply: its check's name and message in Dutch
    # (from the Dutch rule files), the shouted words as they are.
    dutch = message_in("shouting", "nl")
    assert "Schreeuwen" in review
    assert dutch in html.unescape(review)
    assert message_in("shouting", "en") not in html.unescape(review)
    assert "WE ARE SO SORRY ABOUT THIS!!!" in review
