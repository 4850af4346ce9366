"""The draft editor in a real browser: the tone check runs as the agent types, marks the
words, and applies a suggestion with one click."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.fixtures.complaints import add_complaint


def test_the_editor_checks_as_you_type_and_applies_a_suggestion(app, users, live_server, page_for):
    complaint_id = add_complaint(app)
    page = page_for(users["agent"])
    page.goto(f"{live_server}/complaints/{complaint_id}")
    page.get_by_role("button", name="Draft a reply").click()
    page.wait_for_selector("#tone-panel")

    validate = page.locator("#part-validate")
    validate.fill("Calm down, we DID send it!!!")
    panel = page.locator("#tone-panel")
    panel.get_by_text("Dismissive").wait_for()
    assert "Shouting" in panel.inner_text()
    marked = page.locator("#assembled mark.finding").first
    assert marked.inner_text() == "Calm down"
    assert marked.get_attribute("tabindex") == "0"
    described = marked.get_attribute("aria-describedby")
    assert "Dismissive" in page.locator(f"#{described}").inner_text()

    item = panel.locator(".finding-item", has_text="Dismissive")
    item.get_by_role("button", name="Apply").click()
    assert validate.input_value() == "We DID send it!!!"
    expect(panel).not_to_contain_text("Dismissive")
    expect(panel).to_contain_text("Shouting")
