"""The draft editor in a real browser (Debian's Chromium, driven by Playwright): the tone
check runs as the agent types, marks the words, and applies a suggestion with one click.

In CI (CI=true) a missing Chromium is a failure, not a skip.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import IN_CI, PASSWORD
from tests.test_drafts import add_complaint

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}"
        if IN_CI:
            pytest.fail(message + " (CI=true: .ci/run must install it)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def live_server(app):
    """The test app served on 127.0.0.1 from a thread, for the browser."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_editor_checks_as_you_type_and_applies_a_suggestion(app, users, live_server, browser):
    complaint_id = add_complaint(app)
    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server + "/login")
    page.fill("#email", users["agent"].email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
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
