"""Every main screen, as each role meets it on the demo data: scanned by axe-core with no
serious or critical violation, with no script or Content-Security-Policy error, without
sideways scrolling on a 390 px phone; and, when SCREENSHOT_DIR is set (`make screenshots`
sets it and copies the README's pictures), photographed at 1280 px and 390 px into it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.accounts.models import User
from app.core.clock import FrozenClock
from app.drafts.models import Draft, DraftState, Publication
from app.extensions import db
from tests.fixtures.app import T0, base_config
from tests.fixtures.browser import (
    GALLERY,
    WIDTHS,
    describe,
    problems_on,
    serve,
    shoot,
    sign_in,
    stop,
    watch,
)

PASSWORDS = {
    "agent": ("agent@example.com", "agent-demo-1"),
    "reviewer": ("reviewer@example.com", "reviewer-demo-1"),
    "signoff": ("signoff@example.com", "signoff-demo-1"),
    "admin": ("admin@example.com", "admin-demo-1"),
}


@dataclass
class Site:
    app: Flask
    base: str
    ids: dict[str, int]


def _ids(app: Flask) -> dict[str, int]:
    """The demo rows the screens show: a draft in each state the roles act on."""
    with app.app_context():

        def draft_in(state: DraftState) -> int:
            found = db.session.scalar(
                select(Draft.id).where(Draft.state == state).order_by(Draft.id.desc()).limit(1)
            )
            assert found, f"the demo has no {state.value} draft"
            return found

        published = db.session.scalar(
            select(Publication.draft_id).order_by(Publication.id.desc()).limit(1)
        )
        draft = db.session.get(Draft, draft_in(DraftState.DRAFT))
        return {
            "draft": draft.id,
            "complaint": draft.complaint_id,
            "case": draft.complaint.case_id,
            "cooling_off": draft_in(DraftState.COOLING_OFF),
            "approved": draft_in(DraftState.APPROVED),
            "published": published or 0,
            "reviewer": db.session.scalar(
                select(User.id).where(User.email == PASSWORDS["reviewer"][0])
            ),
        }


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("screens") / "demo.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}", FrozenClock(T0)))
    loaded = app.test_cli_runner().invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    base, handle = serve(app)
    yield Site(app, base, _ids(app))
    stop(handle)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def pages(browser, site):
    """One signed-in page per role and width, reused across the screens."""
    made = {}

    def get(role: str | None, width: str):
        key = (role, width)
        if key not in made:
            context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            watch(page)
            if role:
                sign_in(page, site.base, *PASSWORDS[role])
            made[key] = page
        return made[key]

    yield get
    for page in made.values():
        page.context.close()


def _type_blame(page) -> None:
    """The editor as a tired agent leaves it: findings marked as they type."""
    page.fill(
        "#part-validate",
        "Sorry you feel that way, but you should have read the delivery terms. We DID send it!!",
    )
    page.locator("#tone-panel").get_by_text("Non-apology").first.wait_for()


def _write_note(page) -> None:
    """A case's timeline with an internal note on it, written as an agent does."""
    page.fill("#note-text", "Refund agreed by phone, @reviewer please check <b>the total</b>.")
    page.get_by_role("button", name="Add the note").click()
    page.locator(".entry-note").last.wait_for()
    assert "internal: never published" in page.locator(".entry-note").last.inner_text()
    assert "<b>the total</b>" in page.locator(".entry-note .entry-text").last.inner_text()


@dataclass(frozen=True)
class Screen:
    name: str
    role: str | None
    path: Callable[[dict[str, int]], str]
    then: Callable | None = None
    #: The whole page, or (for a long list) the first screenful a person sees.
    full_page: bool = True


SCREENS = [
    Screen("login", None, lambda ids: "/login"),
    Screen("inbox", "agent", lambda ids: "/", full_page=False),
    Screen("complaint", "agent", lambda ids: f"/complaints/{ids['complaint']}"),
    Screen("case", "agent", lambda ids: f"/cases/{ids['case']}", _write_note),
    Screen("paste", "agent", lambda ids: "/complaints/new"),
    Screen("import", "agent", lambda ids: "/imports"),
    Screen("editor", "agent", lambda ids: f"/drafts/{ids['draft']}"),
    Screen("editor-findings", "agent", lambda ids: f"/drafts/{ids['draft']}", _type_blame),
    Screen("notifications", "agent", lambda ids: "/notifications"),
    Screen("dashboard", "agent", lambda ids: "/dashboard"),
    Screen("reviews", "reviewer", lambda ids: "/reviews"),
    Screen("review", "reviewer", lambda ids: f"/drafts/{ids['cooling_off']}/review"),
    Screen("sign-offs", "signoff", lambda ids: "/sign-offs"),
    Screen("sign-off", "signoff", lambda ids: f"/drafts/{ids['approved']}/sign-off"),
    Screen("publish", "admin", lambda ids: f"/drafts/{ids['published']}/publish"),
    Screen("admin", "admin", lambda ids: "/admin"),
    Screen("users", "admin", lambda ids: "/admin/users"),
    Screen("user", "admin", lambda ids: f"/admin/users/{ids['reviewer']}"),
    Screen("invite", "admin", lambda ids: "/admin/users/invite"),
    Screen("signoff-groups", "admin", lambda ids: "/admin/groups"),
    Screen("company", "admin", lambda ids: "/admin/settings/company"),
    Screen("markets", "admin", lambda ids: "/admin/markets/default"),
    Screen("tone-policy", "admin", lambda ids: "/admin/settings/tone"),
    Screen("workflow-policy", "admin", lambda ids: "/admin/settings/workflow"),
    Screen("templates", "admin", lambda ids: "/admin/templates"),
    Screen("audit", "admin", lambda ids: "/admin/audit"),
    Screen("account", "agent", lambda ids: "/account"),
    Screen("change-password", "agent", lambda ids: "/account/password"),
    Screen("api-tokens", "agent", lambda ids: "/account/tokens"),
]


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_each_screen_scans_clean_and_fits_a_phone(screen, site, pages, scan):
    for width in WIDTHS:
        page = pages(screen.role, width)
        before = len(problems_on(page))
        response = page.goto(site.base + screen.path(site.ids))
        assert response.status == 200, f"{screen.name} answered {response.status}"
        if screen.then:
            screen.then(page)
        result = scan(page, screen.name, width)
        if GALLERY:
            shoot(page, f"{screen.name}-{width}", full_page=screen.full_page)
        assert not result.forbidden, f"{screen.name} at {width}:\n" + describe(result.forbidden)
        assert problems_on(page)[before:] == [], f"{screen.name} at {width}: console errors"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{screen.name} scrolls sideways by {overflow}px at {width}"


def test_bulk_select_and_tag_in_the_inbox(site, pages):
    """The inbox's bulk bar in one go: tick the page, widen to every match, narrow to two
    rows, tag them in one request, and see the tags on the rows."""
    page = pages("agent", "desktop")
    page.goto(site.base + "/")
    count = page.locator("#bulk-count")
    rows = page.locator("input[name='ids']")
    page.locator("#bulk-page").check()
    assert count.inner_text() == f"{rows.count()} selected on this page."
    page.locator("#bulk-all").check()
    assert count.inner_text().startswith("Selected: all")
    page.locator("#bulk-page").uncheck()  # unticking the page drops "all matching" too
    assert not page.locator("#bulk-all").is_checked()
    first, second = rows.nth(0).get_attribute("value"), rows.nth(1).get_attribute("value")
    rows.nth(0).check()
    rows.nth(1).check()
    assert count.inner_text() == "2 selected on this page."
    page.select_option("#bulk-action", "tag")
    page.fill("#bulk-tag", "Checked in browser")
    page.get_by_role("button", name="Apply").click()
    page.locator(".flashes").get_by_text("Tagged 2 complaints").wait_for()
    for complaint_id in (first, second):
        assert "Checked in browser" in page.locator(f"#complaint-{complaint_id}").inner_text()
