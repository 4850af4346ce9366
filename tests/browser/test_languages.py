"""The languages end to end, in Chromium.

- The seeds' languages (issue 16, Done when 1): the same double charge with a threat of a
  lawyer, written as a customer in each market writes it, pasted by an agent: each is read
  in its own language with the legal threat and the billing problem, routed to legal
  sign-off, and drafted in its own language. A screenshot of each complaint page and draft
  lands in SCREENSHOT_DIR.
- The screens' languages (issue 19, Done when 1): someone whose profile says nl, de, es,
  pl or lv walks every main screen on the demo data and no English is left outside
  `[translate=no]` (names and data); `<html lang>` is the language on every page; the
  inbox and the editor are photographed per language. English walks the same screens.
  One test per language: `pytest "tests/browser/test_languages.py::test_language_walk[nl]"`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import Role, User
from app.complaints.models import Channel, Market, Tag
from app.drafts.models import Draft
from app.extensions import db
from app.nlp.detection import detect
from tests.fixtures.browser import demo_site, problems_on, shoot, watch
from tests.fixtures.translations import english_left, english_vocabulary, language_vocabulary
from tests.fixtures.users import PASSWORD, get_user, make_user
from tests.fixtures.workflow import edit

#: language -> (the complaint, the language's name as the complaint page shows it)
LAWYER_COMPLAINTS = {
    "en": (
        "@NorthwindHome you took the money for order NW-50177 TWICE. I want the second "
        "payment back this week or my lawyer will be in touch.",
        "English",
    ),
    "nl": (
        "@NorthwindHome jullie hebben bestelling NW-50177 gewoon twee keer afgeschreven. "
        "Ik wil dat geld deze week terug, anders schakel ik mijn advocaat in.",
        "Dutch",
    ),
    "de": (
        "@NorthwindHome Sie haben meine Bestellung NW-50177 zweimal abgebucht. Wenn das "
        "Geld nicht diese Woche zurück ist, geht die Sache an meinen Anwalt.",
        "German",
    ),
    "es": (
        "@NorthwindHome me habéis cobrado dos veces el pedido NW-50177. O me devolvéis el "
        "dinero esta semana o lo pongo en manos de mi abogado.",
        "Spanish",
    ),
    "pl": (
        "@NorthwindHome pobraliście ode mnie dwa razy pieniądze za zamówienie NW-50177. "
        "Jeśli do końca tygodnia nie oddacie, sprawą zajmie się mój prawnik.",
        "Polish",
    ),
    "lv": (
        "@NorthwindHome jūs man divreiz noņēmāt naudu par pasūtījumu NW-50177. Ja līdz "
        "nedēļas beigām nauda nebūs atpakaļ, vērsīšos pie sava jurista.",
        "Latvian",
    ),
}


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


@pytest.mark.parametrize("language", list(LAWYER_COMPLAINTS))
def test_a_lawyer_threat_is_read_routed_to_legal_and_drafted_in_its_own_language(
    language, users, page_for, live_server
):
    text, name = LAWYER_COMPLAINTS[language]
    agent = page_for(users["agent"])
    agent.goto(live_server + "/complaints/new")
    agent.select_option("#channel", "x")
    agent.fill("#author_handle", f"@customer_{language}")
    agent.fill("#text", text)
    press(agent, "Add to inbox")
    expect(agent.locator(".flashes")).to_contain_text("is in the inbox")

    main = agent.locator("main")
    expect(main).to_contain_text(name)
    expect(main).to_contain_text("Legal threat")
    expect(main).to_contain_text("Billing")
    expect(main).not_to_contain_text("not read")
    shoot(agent, f"language-{language}-complaint")

    press(agent, "Draft a reply")
    agent.wait_for_url(re.compile(r"/drafts/\d+$"))
    expect(agent.locator(".workflow")).to_contain_text(re.compile("Legal sign-off will be needed"))
    parts = [
        agent.locator(f"#part-{part}").input_value()
        for part in ("validate", "responsibility", "direction", "close_loop")
    ]
    draft = " ".join(part for part in parts if part)
    assert detect(draft).language == language, draft
    shoot(agent, f"language-{language}-draft")


# Every main screen in every language ---------------------------------------------------

SCREEN_LANGUAGES = ["en", "nl", "de", "es", "pl", "lv"]


@dataclass(frozen=True)
class Screen:
    name: str
    path: str  # formatted with the demo's ids


#: The main screens, as a person with every role meets them (the sign-in page first).
MAIN_SCREENS = [
    Screen("inbox", "/inbox"),
    Screen("complaint", "/complaints/{complaint}"),
    Screen("new complaint", "/complaints/new"),
    Screen("editor", "/drafts/{draft}"),
    Screen("my replies", "/my-replies"),
    Screen("reviews", "/reviews"),
    Screen("review", "/drafts/{cooling_off}/review"),
    Screen("sign-offs", "/sign-offs"),
    Screen("sign-off", "/drafts/{approved}/sign-off"),
    Screen("publish", "/drafts/{published}/publish"),
    Screen("case", "/cases/{case}"),
    Screen("imports", "/imports"),
    Screen("notifications", "/notifications"),
    Screen("dashboard", "/dashboard"),
    Screen("account", "/account"),
    Screen("admin", "/admin"),
    Screen("users", "/admin/users"),
    Screen("workflow settings", "/admin/settings/workflow"),
    Screen("markets", "/admin/markets"),
    Screen("template library", "/admin/templates"),
    Screen("template", "/admin/templates/{template}"),
    Screen("audit log", "/admin/audit"),
]
#: A first part that draws findings (blame, a non-apology, shouting).
BLAME = "Sorry you feel that way, but you should have read the delivery terms. We DID send it!!"
#: What live.js asks the server (its poll and its heartbeat).
LIVE = re.compile(r"/live(/presence)?(\?|$)")
#: Photographed in every language (SCREENSHOT_DIR/inbox-nl.png, editor-nl.png).
PHOTOGRAPHED = {"inbox", "editor"}

#: What a person reads on the page, outside `[translate=no]` (data: names, complaint and
#: reply texts, handles) and code, kbd and samp (typed as they are): each rendered text
#: node, the attributes people read or hear, the value of a button, and the page's title.
#: [where, text] pairs.
READ_PAGE = """() => {
    // Data, and what is typed as it is (keys, code, file columns).
    const DATA = '[translate="no"], script, style, template, noscript, code, kbd, samp';
    const read = [["title", document.title]];
    const dataOrHidden = (element) => {
        if (element.closest(DATA)) { return true; }
        const shown = element.closest("select") || element;
        return shown.checkVisibility ? !shown.checkVisibility() : false;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.nodeValue.trim();
        if (text && /\\p{L}/u.test(text) && !dataOrHidden(node.parentElement)) {
            read.push([node.parentElement.tagName.toLowerCase(), text]);
        }
    }
    const attributes = ["title", "aria-label", "aria-description", "placeholder", "alt"];
    for (const element of document.body.querySelectorAll("*")) {
        if (element.closest(DATA)) { continue; }
        for (const name of attributes) {
            const value = element.getAttribute(name);
            if (value && value.trim()) { read.push([name, value.trim()]); }
        }
        if (element.matches("input[type=submit], input[type=button], input[type=reset]")) {
            read.push(["value", element.value]);
        }
    }
    const html = document.documentElement;
    return {lang: html.lang, dir: html.dir, read: read};
}"""


@pytest.fixture(scope="module")
def walk_site(demo_template, tmp_path_factory):
    """The demo, its draft being written saved as a tired agent leaves it: with findings,
    so the editor shows the tone check's words too."""
    with demo_site(demo_template, tmp_path_factory.mktemp("walk")) as site:
        with site.app.app_context():
            draft = db.session.get(Draft, site.ids["draft"])
            if not draft.revisions[-1].findings:
                edit(draft, {"validate": BLAME}, draft.author)
        yield site


@pytest.fixture(scope="module")
def english():
    return english_vocabulary()


@pytest.fixture(scope="module")
def data_words(walk_site) -> frozenset[str]:
    """Names and data, which stay as people typed them wherever a sentence names them
    ("Ada Admin", "Review site", a market, a tag): the words of the demo's people, channels,
    markets and tags are not English left on a page (the built-in sign-off groups' names
    are the product's words, said in the page's language)."""
    with walk_site.app.app_context():
        typed = [
            *db.session.scalars(sa.select(User.name)),
            *db.session.scalars(sa.select(User.email)),
            *db.session.scalars(sa.select(Channel.name)),
            *db.session.scalars(sa.select(Market.name)),
            *db.session.scalars(sa.select(Tag.name)),
        ]
    return frozenset(word.lower() for text in typed for word in re.findall(r"[^\W\d_]+", text))


def _walker(site, language: str):
    """Someone with every role (and the demo's sign-off groups) whose profile says
    `language`, so every main screen is theirs to see."""
    person = make_user(
        site.app,
        f"walk-{language}@example.com",
        *Role,
        name=f"Walker {language}",
        groups={"legal", "pr"},
    )
    with site.app.app_context():
        get_user(person).language = language
        db.session.commit()
    return person


#: How many pieces of text with English each screen's report quotes (WALK_QUOTED=200 for
#: all of them).
QUOTED = int(os.environ.get("WALK_QUOTED", "6"))


@dataclass
class Found:
    """What a screen shows that it should not: the English words, the text around them."""

    screen: str
    lang: str  # <html lang dir>: "nl ltr"
    #: each piece of text with English in it -> (where: its tag or attribute, the words)
    texts: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def words(self) -> list[str]:
        return list(dict.fromkeys(w.lower() for _, words in self.texts.values() for w in words))

    def __str__(self) -> str:
        lines = [f"{self.screen}: " + ", ".join(self.words)]
        quoted = list(self.texts.items())[:QUOTED]
        lines += [f"    {where}: {text!r}" for text, (where, _) in quoted]
        if len(self.texts) > QUOTED:
            lines.append(f"    ... and {len(self.texts) - QUOTED} more pieces of text")
        return "\n".join(lines)


def _read(page, screen: str, language: str, english, native) -> Found:
    """The page's `<html lang>` and, on a page not in English, its English words."""
    seen = page.evaluate(READ_PAGE)
    found = Found(screen, f"{seen['lang']} {seen['dir']}")
    for where, text in seen["read"] if language != "en" else []:
        words = english_left(text, english, native)
        if words:
            shown = text if len(text) <= 120 else text[:117] + "..."
            found.texts.setdefault(shown, (where, tuple(words)))
    return found


def _report(found: list[Found]) -> list[Found]:
    """The screens with English, the text every signed-in page shows (the header) said once
    first rather than on each."""
    signed_in = [f for f in found if f.screen != "sign-in"]
    everywhere = set.intersection(*(set(f.texts) for f in signed_in)) if signed_in else set()
    shared = Found("every signed-in page (header)", "")
    shared.texts = {t: signed_in[0].texts[t] for t in signed_in[0].texts if t in everywhere}
    own = [
        Found(f.screen, f.lang, {t: v for t, v in f.texts.items() if t not in everywhere})
        for f in found
    ]
    return [f for f in [shared, *own] if f.texts]


@pytest.mark.parametrize("language", SCREEN_LANGUAGES)
def test_language_walk(language, walk_site, browser, english, data_words):
    """English: every screen loads, in English. Any other language: `<html lang>` says the
    language on every page and no English word is left on any (names and data aside)."""
    native = language_vocabulary(language) | data_words if language != "en" else frozenset()
    person = _walker(walk_site, language)
    # The sign-in page follows the browser's Accept-Language; the rest, the profile.
    context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
    # live.js's first poll and heartbeat on every page: nothing to read, a server's worth
    # of work per page; answered "nothing new" here (test_live.py tests them).
    context.route(LIVE, lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch(page)
    try:
        page.goto(walk_site.base + "/login", wait_until="domcontentloaded")
        found = [_read(page, "sign-in", language, english, native)]
        page.fill("#email", person.email)
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(lambda url: "/login" not in url, wait_until="domcontentloaded")
        for screen in MAIN_SCREENS:
            url = walk_site.base + screen.path.format(**walk_site.ids)
            response = page.goto(url, wait_until="domcontentloaded")
            assert response.status == 200, f"{screen.name} ({url}) answered {response.status}"
            found.append(_read(page, screen.name, language, english, native))
            if screen.name in PHOTOGRAPHED:
                shoot(page, f"{screen.name}-{language}", full_page=False)
        # All six are written left to right.
        other_lang = [
            f"{f.screen}: <html lang dir> {f.lang}" for f in found if f.lang != f"{language} ltr"
        ]
        assert other_lang == [], f"pages not in {language}:\n" + "\n".join(other_lang)
        english_on = _report(found)
        assert not english_on, (
            f"English left on {sum(bool(f.texts) for f in found)} of the {len(found)} "
            f"{language} pages "
            '(mark the words for translation, or data translate="no"):\n'
            + "\n".join(map(str, english_on))
        )
        assert problems_on(page) == []
    finally:
        context.close()
