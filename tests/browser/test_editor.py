"""The draft editor in a real browser: the tone check runs as the agent types, marks the
words, and applies a suggestion with one click. (A fix's preview and its Undo are in
test_editor_work.py, with the rest of "never lose work".)"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.fixtures.complaints import add_complaint


def editor_on_a_new_draft(app, users, live_server, page_for):
    """The agent's browser on the editor of a draft just started from a new complaint."""
    complaint_id = add_complaint(app)
    page = page_for(users["agent"])
    page.goto(f"{live_server}/complaints/{complaint_id}")
    page.get_by_role("button", name="Draft a reply").click()
    page.wait_for_selector(".draft-editor[data-live-check=on]")
    return page


def test_the_editor_checks_as_you_type_and_applies_a_suggestion(app, users, live_server, page_for):
    page = editor_on_a_new_draft(app, users, live_server, page_for)

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


def test_the_length_line_follows_the_server_as_you_type(app, users, live_server, page_for):
    """The count is X's (an emoji counts twice), and the thread offer comes with it."""
    page = editor_on_a_new_draft(app, users, live_server, page_for)
    line = page.locator("#length-line")
    expect(line).not_to_contain_text("too long")

    page.locator("#part-validate").fill("We're so sorry. " + "😞" * 140)
    expect(line).to_contain_text("too long; it can go out as a thread of")
    assert int(page.locator("#length").inner_text()) > 2 * 140


def test_words_typed_before_the_editor_script_ran_are_checked_when_it_runs(
    app, users, live_server, page_for
):
    """On a slow connection the agent can type before the script arrives; those words get
    the same check as typed ones, not silence."""
    complaint_id = add_complaint(app)
    page = page_for(users["agent"])
    page.route("**/js/draft_editor.js", lambda route: route.abort())
    page.goto(f"{live_server}/complaints/{complaint_id}")
    page.get_by_role("button", name="Draft a reply").click()
    page.wait_for_selector("#tone-panel")
    page.locator("#part-validate").fill("Calm down, we sent it.")
    expect(page.locator("#tone-panel")).not_to_contain_text("Dismissive")

    page.unroute("**/js/draft_editor.js")
    page.add_script_tag(url=f"{live_server}/static/js/draft_editor.js")
    expect(page.locator("#tone-panel")).to_contain_text("Dismissive")
    expect(page.locator("#assembled mark.finding").first).to_have_text("Calm down")
