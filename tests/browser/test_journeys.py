"""The journeys of PRODUCT.md's three roles, in Chromium, on the test clock.

An agent pastes an angry complaint, gets a draft, writes a blaming sentence, sees it marked
and the submission refused, applies the suggestion and submits; a reviewer asks for changes
with a comment; the agent edits and resubmits; after an approval, another edit restarts the
cooling-off and the approval no longer counts; the reviewer approves again; legal signs the
sensitive case off; once cooling-off is over the agent publishes; the complaint's history
tells every step. A person in the wrong role sees no button it may not use and gets 403.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.drafts.models import Draft
from app.extensions import db
from tests.fixtures.browser import problems_on

ANGRY = (
    "@NorthwindHome you charged me TWICE for order #NW-50177 and NOBODY answers!!! "
    "Refund me today or I'm taking you to court."
)
BLAME = "Thanks for telling us. You should have read the billing terms."


def set_blame_to_block(page, base: str) -> None:
    """The team lead's tone policy: blaming the customer stops a reply."""
    page.goto(base + "/admin/settings/tone")
    page.select_option("select[name='severity.blame']", "block")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.locator(".flashes")).to_be_visible()


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_a_reply_from_paste_to_publish_through_every_role(app, users, page_for, live_server, clock):
    base = live_server
    admin = page_for(users["admin"])
    set_blame_to_block(admin, base)

    # The agent pastes an angry complaint; the analysis reads it as sensitive.
    agent = page_for(users["agent"])
    agent.goto(base + "/complaints/new")
    agent.select_option("#channel", "x")
    agent.fill("#author_handle", "@sam_buys")
    agent.fill("#text", ANGRY)
    press(agent, "Add to inbox")
    expect(agent.locator(".flashes")).to_contain_text("is in the inbox")
    complaint_url = agent.url
    expect(agent.locator("main")).to_contain_text("Legal threat")

    # It is at the top of the inbox with its clock.
    agent.goto(base + "/")
    first = agent.locator("main table tbody tr, main .inbox-item").first
    expect(first).to_contain_text("charged me TWICE")
    expect(first.locator(".clock")).to_contain_text("left")

    # A draft from the four parts.
    agent.goto(complaint_url)
    press(agent, "Draft a reply")
    agent.wait_for_url(re.compile(r"/drafts/\d+$"))
    editor_url = agent.url
    draft_id = int(editor_url.rsplit("/", 1)[1])
    expect(agent.locator(".checklist li.present")).to_have_count(4)

    # A blaming sentence: marked as the agent types, and the submission refused.
    validate = agent.locator("#part-validate")
    validate.fill(BLAME)
    marked = agent.locator("#assembled mark.finding.sev-block")
    expect(marked).to_have_text("You should have")
    expect(agent.locator("#tone-panel")).to_contain_text("Blames the customer")
    press(agent, "Save and submit for review")
    expect(agent.locator("#editor-error")).to_contain_text("Not submitted")
    expect(agent.locator(".page-head .badge.state")).to_have_text("Draft, not submitted")
    expect(agent.locator("#assembled mark.finding.sev-block")).to_have_text("You should have")

    # One click applies the suggestion; the reply is clean and goes to review.
    item = agent.locator("#tone-panel .finding-item", has_text="Blames the customer")
    expect(item).to_contain_text("delete the sentence")
    item.get_by_role("button", name="Apply").click()
    expect(validate).to_have_value("Thanks for telling us.")
    expect(agent.locator("#tone-panel")).not_to_contain_text("Blames the customer")
    press(agent, "Save and submit for review")
    expect(agent.locator(".flashes")).to_contain_text("Cooling off until 09:")
    expect(agent.locator(".flashes")).to_contain_text("Sign-off by legal has been asked")
    expect(agent.locator(".page-head .badge.state")).to_have_text("Cooling off")
    expect(agent.locator(".workflow")).to_contain_text("Legal sign-off needed")
    # The author cannot review their own reply: no such button.
    expect(agent.get_by_role("link", name="Review this draft")).to_have_count(0)

    # The reviewer asks for changes with a comment.
    clock.advance(minutes=3)
    reviewer = page_for(users["reviewer"])
    reviewer.goto(base + "/reviews")
    reviewer.locator(f"a[href$='/drafts/{draft_id}/review']").first.click()
    expect(reviewer.locator("main")).to_contain_text("charged me TWICE")
    reviewer.fill("#comment", "Say when the second charge will be refunded.")
    press(reviewer, "Ask for changes")
    expect(reviewer.locator(".flashes")).to_contain_text("Sent back to Alex Agent")

    # The agent sees the comment, edits and resubmits.
    clock.advance(minutes=2)
    agent.goto(editor_url)
    expect(agent.locator(".page-head .badge.state")).to_have_text("Changes requested")
    expect(agent.locator(".decisions")).to_contain_text("Say when the second charge")
    close = agent.locator("#part-close_loop")
    close.fill("We'll confirm the refund of the second charge by Friday and post here once done.")
    press(agent, "Save and submit for review")
    expect(agent.locator(".flashes")).to_contain_text("Submitted")

    # The reviewer approves revision 4.
    clock.advance(minutes=2)
    reviewer.goto(base + f"/drafts/{draft_id}/review")
    expect(reviewer.locator("main")).to_contain_text("refund of the second charge")
    press(reviewer, "Approve revision 4")
    expect(reviewer.locator(".flashes")).to_contain_text("Approved revision 4")

    # One more edit by the agent: cooling-off starts again and the approval is gone.
    clock.advance(minutes=1)
    agent.goto(editor_url)
    expect(agent.locator(".page-head .badge.state")).to_have_text("Approved")
    before = agent.locator(".workflow time").first.get_attribute("datetime")
    close.fill("We'll confirm the refund of the second charge by Friday and update you here.")
    press(agent, "Save as a new revision")
    flash = agent.locator(".flashes")
    expect(flash).to_contain_text("Earlier approvals and sign-offs no longer count")
    expect(flash).to_contain_text("cooling-off starts again")
    expect(agent.locator(".page-head .badge.state")).to_have_text("Cooling off")
    expect(agent.locator(".decisions")).to_contain_text("no longer counts")
    expect(agent.locator(".refusals")).to_contain_text("A colleague must approve this revision")
    assert agent.locator(".workflow time").first.get_attribute("datetime") != before

    # The reviewer approves the new revision.
    reviewer.goto(base + f"/drafts/{draft_id}/review")
    press(reviewer, "Approve revision 5")
    expect(reviewer.locator(".flashes")).to_contain_text("Approved revision 5")

    # Sensitive: it waits for legal, who sees why and signs it off.
    agent.goto(editor_url)
    expect(agent.locator(".refusals")).to_contain_text("Needs sign-off by legal")
    expect(agent.get_by_role("button", name="Publish")).to_be_disabled()
    signer = page_for(users["signoff"])
    signer.goto(base + "/sign-offs")
    expect(signer.locator("main")).to_contain_text("legal threat")
    signer.locator(f"a[href$='/drafts/{draft_id}/sign-off']").first.click()
    expect(signer.locator(".routed")).to_contain_text("legal threat")
    press(signer, "Sign off for Legal")
    expect(signer.locator(".flashes")).to_contain_text("Signed off for legal")

    # Still cooling off: publishing is refused until the time is over.
    agent.goto(editor_url)
    expect(agent.locator(".refusals")).to_contain_text("Still cooling off")
    expect(agent.get_by_role("button", name="Publish")).to_be_disabled()
    clock.advance(hours=2)
    agent.goto(editor_url)
    expect(agent.locator(".workflow")).to_contain_text("Ready to publish")
    press(agent, "Publish")
    agent.wait_for_url(re.compile(rf"/drafts/{draft_id}/publish$"))
    expect(agent.locator(".flashes")).to_contain_text("Not posted yet: copy the reply")
    expect(agent.locator("#final-text")).to_contain_text("refund of the second charge")
    agent.fill("#url", "https://x.com/NorthwindHome/status/1866")
    press(agent, "Mark as posted")
    expect(agent.locator("main")).to_contain_text("x.com/NorthwindHome/status/1866")
    expect(agent.locator(".page-head .badge.state")).to_have_text("Posted")

    # The complaint's history tells every step, in order.
    agent.goto(complaint_url)
    history = agent.locator("#history, .history").last.inner_text()
    steps = [
        "Alex Agent added the complaint",
        "Alex Agent started a draft reply",
        "(now revision 2)",
        "Alex Agent submitted the draft (revision 3)",
        "Riya Reviewer asked for changes on revision 3",
        "(now revision 4)",
        "Alex Agent submitted the draft (revision 4)",
        "Riya Reviewer approved revision 4",
        "(now revision 5)",
        "Riya Reviewer approved revision 5",
        "Sam Signoff (Legal) signed off revision 5",
        "Alex Agent took revision 5 to post by hand",
        "Alex Agent marked the reply as posted: https://x.com/NorthwindHome/status/1866",
    ]
    positions = [history.find(step) for step in steps]
    assert -1 not in positions, [s for s, p in zip(steps, positions, strict=True) if p == -1]
    assert positions == sorted(positions), history
    for page in (agent, reviewer, signer, admin):
        assert problems_on(page) == []
    # The dashboard counts this draft as one the tone checks caught before review.
    with app.app_context():
        assert "blame" in db.session.get(Draft, draft_id).tone_catches


def test_the_wrong_role_sees_no_buttons_it_may_not_use_and_gets_403(
    app, users, page_for, live_server
):
    from tests.fixtures.complaints import add_complaint

    base = live_server
    complaint_id = add_complaint(app)
    agent = page_for(users["agent"])
    agent.goto(f"{base}/complaints/{complaint_id}")
    press(agent, "Draft a reply")
    agent.wait_for_url(re.compile(r"/drafts/\d+$"))
    draft_id = int(agent.url.rsplit("/", 1)[1])
    press(agent, "Save and submit for review")
    expect(agent.locator(".flashes")).to_contain_text("Submitted")

    # Sign-off (legal/PR) reads the draft but writes, reviews and publishes nothing.
    signer = page_for(users["signoff"])
    signer.goto(f"{base}/drafts/{draft_id}")
    expect(signer.locator("main")).to_contain_text("Where this reply stands")
    for name in ("Save and submit for review", "Save as a new revision", "Publish"):
        expect(signer.get_by_role("button", name=name)).to_have_count(0)
    expect(signer.get_by_role("link", name="Review this draft")).to_have_count(0)
    expect(signer.locator("textarea")).to_have_count(0)
    nav = signer.get_by_role("navigation", name="Main")
    for name in ("Paste a complaint", "Reviews", "Import", "Admin"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(0)

    # The URLs behind those buttons answer 403, with the page's own CSRF token.
    token = signer.locator("input[name=csrf_token]").first.get_attribute("value")
    for path in (
        "/reviews",
        "/complaints/new",
        "/admin",
        "/admin/users",
        f"/drafts/{draft_id}/review",
    ):
        assert signer.request.get(base + path).status == 403, path
    form = {"csrf_token": token, "revision": "1", "from": "editor"}
    for action in ("approve", "publish", "withdraw"):
        answer = signer.request.post(
            f"{base}/drafts/{draft_id}/act", form={**form, "action": action}
        )
        assert answer.status == 403, (action, answer.status)
    edit = signer.request.post(
        f"{base}/drafts/{draft_id}", form={"csrf_token": token, "part-validate": "Hi"}
    )
    assert edit.status == 403

    # The agent may not review their own draft nor anyone's: no queue, 403.
    expect(
        agent.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews")
    ).to_have_count(0)
    assert agent.request.get(f"{base}/drafts/{draft_id}/review").status == 403
    assert agent.request.get(f"{base}/sign-offs").status == 403
    assert problems_on(signer) == []
