"""Two people at once, in two browser contexts, on the test clock (issue 18): what one
does shows on the other's open page without a reload."""

from __future__ import annotations

from playwright.sync_api import expect

from app.drafts.workflow import Action
from tests.fixtures.browser import describe, problems_on
from tests.fixtures.workflow import act, person, start

#: The live pages ask every 300 ms here (LIVE_POLL_MS; 5 s by default).
POLL_MS = 300
#: What issue 18 allows for a change to show.
WITHIN = 5_000


def test_a_submission_reaches_the_reviewer_and_publish_enables_itself_without_a_reload(
    app, users, page_for, live_server, clock, scan
):
    app.config["LIVE_POLL_MS"] = POLL_MS
    with app.app_context():
        draft_id = start(app, users)

    reviewer = page_for(users["reviewer"])  # signing in lands on the Reviews queue
    expect(reviewer.locator("main")).to_contain_text("Nothing is waiting for your review")
    reviews_count = reviewer.locator("[data-live-count='reviews']")
    expect(reviews_count).to_be_hidden()

    agent = page_for(users["agent"])
    agent.goto(f"{live_server}/drafts/{draft_id}")
    agent.get_by_role("button", name="Save and submit for review").click()
    expect(agent.locator(".page-head .badge.state")).to_have_text("Cooling off")
    agent.evaluate("window.notReloaded = true")

    # Within 5 s the reviewer's count and queue show it, no reload.
    reviewer.evaluate("window.notReloaded = true")
    expect(reviews_count).to_be_visible(timeout=WITHIN)
    expect(reviews_count.locator(".count")).to_have_text("1")
    expect(reviews_count.locator(".visually-hidden")).to_have_text(" (1 waiting)")
    queued = reviewer.get_by_role("link", name=f"Review draft #{draft_id}")
    expect(queued).to_be_visible(timeout=WITHIN)
    expect(reviewer.locator("#live-toasts")).to_contain_text("asks for a review")
    assert reviewer.evaluate("window.notReloaded") is True

    # The reviewer approves (as the review page would; that page is tests/browser/test_review.py).
    with app.app_context():
        act(draft_id, Action.APPROVE, person(users, "reviewer"), now=clock.now())

    # The agent's page hears the decision: state, toast, a disabled Publish (cooling off).
    expect(agent.locator(".page-head .badge.state")).to_have_text("Approved", timeout=WITHIN)
    expect(agent.locator("#live-toasts")).to_contain_text("approved")
    publish = agent.get_by_role("button", name="Publish", exact=True)
    expect(publish).to_be_disabled()
    expect(agent.locator("#publish-refusals")).to_contain_text("Still cooling off")
    panel = agent.locator("#workflow-panel")  # fetched again: the decision is in it
    expect(panel).to_contain_text("Riya Reviewer approved")

    # The cooling-off ends (the server's clock): Publish enables itself, no reload.
    clock.advance(minutes=30)
    expect(publish).to_be_enabled(timeout=WITHIN)
    expect(panel).to_contain_text("Ready to publish")
    expect(panel.locator("dd").nth(1)).to_contain_text("over")
    expect(agent.locator("#live-toasts")).to_contain_text("ready to publish")
    assert agent.evaluate("window.notReloaded") is True

    # My replies says so too; the page and its toasts pass the accessibility scan.
    agent.get_by_role("link", name="My replies").click()
    expect(agent.locator(".my-replies tbody tr")).to_contain_text("Ready to publish")
    result = scan(agent, "my replies")
    assert not result.forbidden, describe(result.forbidden)
    assert problems_on(agent) == []
    assert problems_on(reviewer) == []
