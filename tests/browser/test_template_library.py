"""Issue 19, "Done when" 4: an admin edits a Polish template variant in the browser; a bad
placeholder is refused with its line (what was typed stays); the new version is used by the
next draft, and the change is in the audit log and the variant's history."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.analysis import analyze
from app.audit.models import AuditEvent
from app.complaints.models import Channel
from app.extensions import db
from app.services import Services
from tests.fixtures.browser import problems_on

POLISH = "Czekam trzy tygodnie na zamówienie i nikt nie odpowiada. Gdzie jest moja paczka?"
NEW_TEXT = "Dziękujemy, że dajesz nam znać o {topic}; zajmujemy się tym od razu."


def polish_draft(app):
    """The first draft the app builds now for a Polish complaint on X."""
    with app.app_context():
        services = Services.of(app, db.session)
        return services.compose_text(
            POLISH,
            analyze(POLISH),
            db.session.get(Channel, "x"),
            agent=None,
            customer_name="Anna",
            handle="@anna_k",
        )


def test_an_admin_edits_a_polish_variant_and_the_next_draft_uses_it(
    app, users, page_for, live_server
):
    before = polish_draft(app)
    assert before.language == "pl"
    variant_id = before.parts["validate"].variant_id
    page = page_for(users["admin"])
    # The library page's "Edit" (tests/test_admin_screens.py) leads here.
    page.goto(f"{live_server}/admin/templates/pl/validate/{variant_id}")
    typed = page.input_value("#source")
    assert typed.startswith(f"id: {variant_id}\ntext: ")

    # A bad placeholder on line 3 of what the admin typed: refused with that line, kept.
    lines = typed.splitlines()
    bad = "\n".join([lines[0], "text: >", "  Numer {order_nr}.", *lines[2:]]) + "\n"
    page.fill("#source", bad)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("line 3: unknown placeholder {order_nr}")
    expect(page.locator("#source")).to_have_value(bad)

    # The preview fills it in Polish; Save makes it version 1, by this admin.
    good = "\n".join([lines[0], f'text: "{NEW_TEXT}"', *lines[2:]]) + "\n"
    page.fill("#source", good)
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.locator(".preview")).to_contain_text("Dziękujemy, że dajesz nam znać o ")
    page.fill("#note", "cieplej")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text(f"Version 1 of {variant_id} saved")
    expect(page.locator(".versions")).to_contain_text(
        re.compile(r"Version 1 \(in force\).*cieplej")
    )
    assert not problems_on(page)

    after = polish_draft(app)
    assert after.parts["validate"].variant_id == variant_id
    assert "Dziękujemy, że dajesz nam znać o" in after.text
    with app.app_context():
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "settings.template_saved")
        ).one()
        assert event.details["variant_id"] == variant_id
        shipped = Services.of(app, db.session).templates.files.by_id[variant_id]
        assert event.details["old"] == shipped.text
        assert event.details["new"] == NEW_TEXT
        assert event.actor_id == users["admin"].id
