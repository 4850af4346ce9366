"""The reply workflow through its screens: the editor's workflow panel, the review and
sign-off queues and pages, publishing, the complaint page after the reply went out,
notifications and Admin → Workflow policy. Each person has their own browser (WebTest,
CSRF on) and fills in the real forms; time moves with the frozen clock, never by sleeping.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import sqlalchemy as sa
from webtest import TestApp
from webtest.forms import Submit

from app.drafts import diff, workflow
from app.drafts.models import Draft, Revision
from app.drafts.workflow import Action
from app.extensions import db
from app.publishing import outbox
from app.publishing.adapters import Delivery
from tests.fixtures.app import T0
from tests.fixtures.complaints import CALM, LEGAL, add_complaint
from tests.fixtures.web import editor_form, form_with, main_form, web_login, words
from tests.fixtures.workflow import POLICY, act, person, revision_text, start

ROLES = ("agent", "reviewer", "signoff", "admin")


@pytest.fixture
def browsers(app, users) -> dict[str, TestApp]:
    """A signed-in browser per role, each with its own cookies."""
    out = {}
    for number, role in enumerate(ROLES, start=10):
        web = TestApp(
            app, extra_environ={"HTTP_HOST": "composure.test", "REMOTE_ADDR": f"203.0.113.{number}"}
        )
        assert web_login(web, users[role].email).status_int == 302
        out[role] = web
    return out


def action_form(page, value: str):
    """The page's form that takes workflow action `value` (a button or a hidden field;
    the editor's "Save and submit" is its parts form's `then` button)."""
    for form in page.forms.values():
        for field in form.fields.get("action", []) + form.fields.get("then", []):
            if getattr(field, "_value", None) == value or field.value == value:
                return form
    raise AssertionError(f"no {value!r} form on {page.request.path}")


def take(page, value: str, **fields):
    """Fill in and send the form for `value` as a person would (any status)."""
    form = action_form(page, value)
    for name, text in fields.items():
        form[name] = text
    for name in ("action", "then"):
        if any(isinstance(f, Submit) and f._value == value for f in form.fields.get(name, [])):
            return form.submit(name, value=value, status="*")
    return form.submit(status="*")


def csrf(page) -> str:
    return next(f for f in page.forms.values() if "csrf_token" in f.fields)["csrf_token"].value


def post_action(web: TestApp, page, value: str, status: int | str = "*"):
    """Send an action the page does not offer (a disabled button, another role's form),
    with the page's CSRF token: what a crafted request would do."""
    draft_id = re.search(r"/drafts/(\d+)", page.request.path).group(1)
    revision = re.search(r'name="revision" value="(\d+)"', page.text)
    data = {
        "csrf_token": csrf(page),
        "action": value,
        "revision": revision.group(1) if revision else "1",
    }
    return web.post(f"/drafts/{draft_id}/act", data, status=status)


def unread(page) -> int:
    found = re.search(r"\((\d+) unread\)", page.text)
    return int(found.group(1)) if found else 0


def test_the_whole_journey_through_the_screens(app, browsers, clock):
    agent, reviewer, signer = browsers["agent"], browsers["reviewer"], browsers["signoff"]
    complaint_id = add_complaint(app, text=LEGAL)

    # The agent drafts and submits from the editor.
    editor = form_with(agent.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    draft_path = editor.request.path
    draft_id = int(draft_path.rsplit("/", 1)[1])
    assert "Legal sign-off will be needed because of flag: billing; flag: legal threat" in words(
        editor
    )
    assert "Submit the draft first" in words(editor)
    submitted = take(editor, "submit").follow()
    assert "Submitted. Cooling off until 09:10 UTC; reviewers have been asked." in words(submitted)
    assert "Sign-off by legal has been asked too." in words(submitted)
    assert '<time datetime="2026-11-23T09:10:00+00:00">09:10 UTC</time>' in submitted.text
    assert "data-countdown=" in submitted.text
    # A second click on the same form changes nothing.
    again = take(editor, "submit")
    assert again.status_int == 409
    assert "cannot be submitted" in words(again)

    # The reviewer hears about it and finds it in the queue.
    queue = reviewer.get("/reviews")
    assert unread(queue) == 1
    assert f"Review draft #{draft_id}" in words(queue)
    assert "by Alex Agent · revision 1" in words(queue)
    assert "charged twice for my sofa" in words(queue)
    assert "Legal: flag: billing; flag: legal threat" in words(queue)  # why sign-off
    notices = reviewer.get("/notifications")
    assert f"Alex Agent asks for a review of draft #{draft_id}" in words(notices)
    review = notices.click(description="asks for a review").follow()
    assert review.request.path == f"/drafts/{draft_id}/review"
    assert unread(review) == 0

    # …and asks for changes, about one passage (quoted, as without the page's script).
    clock.advance(minutes=2)
    text = revision_text(app, draft_id)
    passage = re.split(r"(?<=[.!?])\s", text)[0]
    assert "This is the first revision." in words(review)
    empty = take(review, "request_changes", comment=" ", quote=passage)
    assert empty.status_int == 409
    assert "Say what should change." in words(empty)
    sent = take(empty, "request_changes", comment="Say when they will hear back.")
    assert sent.status_int == 302
    queue = sent.follow()
    assert "Sent back to Alex Agent with your comment." in words(queue)
    assert "Nothing is waiting for your review." in words(queue)

    # The agent reads the comment with the passage it is about, edits and submits again.
    clock.advance(minutes=3)
    editor = agent.get(draft_path)
    assert unread(editor) == 1
    assert "Changes requested" in words(editor)
    assert "Riya Reviewer asked for changes" in words(editor)
    assert f"About the passage: “{passage}”" in words(editor)
    assert "Say when they will hear back." in words(editor)
    form = editor_form(editor)
    form["part-close_loop"] = "We'll update you here by 5pm tomorrow."
    saved = form.submit().follow()
    assert "Saved as revision 2." in words(saved)
    assert "on revision 1; no longer counts" in words(saved)
    resubmitted = take(saved, "submit").follow()
    assert "Cooling off until 09:15" in words(resubmitted)

    # The reviewer approves revision 2, seeing what changed.
    clock.advance(minutes=1)
    review = reviewer.get(f"/drafts/{draft_id}/review")
    assert "What changed since revision 1" in words(review)
    assert "<ins>" in review.text
    assert "<del>" in review.text
    assert "5pm tomorrow" in words(review)
    approved = take(review, "approve").follow()
    assert "Approved revision 2; Alex Agent has been told." in words(approved)

    # A last edit by the agent voids the approval and restarts cooling-off.
    clock.advance(minutes=1)
    form = editor_form(agent.get(draft_path))
    form["part-close_loop"] = "We'll update you here by 5pm tomorrow, and sooner if we can."
    saved = form.submit().follow()
    assert (
        "Saved as revision 3. Earlier approvals and sign-offs no longer count; cooling-off "
        "starts again and ends at 09:17 UTC." in words(saved)
    )
    assert "A colleague must approve this revision." in words(saved)
    review = reviewer.get("/notifications").click(description="please read it again").follow()
    assert review.request.path == f"/drafts/{draft_id}/review"
    assert "sooner if we can" in words(review)
    take(review, "approve").follow()

    # Sign-off: in the queue with why, then signed off (a refusal needs a reason).
    queue = signer.get("/sign-offs")
    assert unread(queue) == 1
    assert f"Sign off draft #{draft_id}" in words(queue)
    assert "flag: legal threat" in words(queue)
    assert "flag: billing" in words(queue)
    page = signer.get(f"/drafts/{draft_id}/sign-off")
    assert "Why it was sent to you" in words(page)
    assert "Riya Reviewer approved" in words(page)
    form = action_form(page, "sign_off")
    refused = form.submit("approved", value="no", status=409)
    assert "Say why you refuse to sign it off." in words(refused)
    form = action_form(signer.get(f"/drafts/{draft_id}/sign-off"), "sign_off")
    form["comment"] = "Fine: no admission of liability."
    signed = form.submit("approved", value="yes").follow()
    assert "Signed off for legal; Alex Agent has been told." in words(signed)
    assert "Nothing is waiting for sign-off." in words(signed)

    # Publishing is refused while the last edit cools off, with the reasons shown.
    editor = agent.get(draft_path)
    assert "It cannot go out yet: Still cooling off for 10 minutes." in words(editor)
    assert re.search(r'value="publish" class="primary" disabled', editor.text)
    early = post_action(agent, editor, "publish")
    assert early.status_int == 409
    assert "Still cooling off" in words(early)
    clock.advance(minutes=11)
    editor = agent.get(draft_path)
    assert "Ready to publish by hand: “Publish” gives the final text to post on X" in words(editor)
    published = take(editor, "publish").follow()
    assert published.request.path == f"/drafts/{draft_id}/publish"
    # The manual channel: nothing is "published" or "posted" before the link is recorded.
    shown = words(published)
    assert "Published." not in shown
    assert "Posted" not in shown
    assert (
        "Not posted yet: copy the reply, post it on X (Twitter), then paste the link here." in shown
    )
    assert "To post by hand" in shown  # the state
    assert "not posted yet" in shown
    assert "sooner if we can" in shown  # the final text, to copy
    assert "Not posted yet: copy the reply" in words(agent.get(draft_path))
    complaint_page = words(agent.get(f"/complaints/{complaint_id}"))
    assert "Reply · To post by hand" in complaint_page
    assert "not posted yet Copy the reply, post it on X (Twitter), then paste the link" in (
        complaint_page
    )
    # The old page's button again: still one publication.
    twice = take(editor, "publish").follow()
    assert "It was already published; nothing was sent twice." in words(twice)
    form = next(f for f in twice.forms.values() if "url" in f.fields)
    assert form.fields["url"][0].id == "url"
    assert "Mark as posted" in twice.text
    form["url"] = "not a link"
    wrong = form.submit(status=400)
    assert "Paste the full link of the posted reply" in words(wrong)
    form = next(f for f in wrong.forms.values() if "url" in f.fields)
    form["url"] = "https://x.com/NorthwindHome/status/1"
    linked = form.submit().follow()
    assert "Marked as posted: the link is recorded and the reply is out." in words(linked)
    assert "posted https://x.com/NorthwindHome/status/1" in words(linked)
    assert "Posted" in words(linked)
    assert "To post by hand" not in words(linked)
    assert "Posted 23 Nov 2026" in words(agent.get(draft_path))

    # The complaint page: the reply and its state, the follow-up, resolving, "it's sorted".
    page = agent.get(f"/complaints/{complaint_id}")
    assert "Reply · Posted" in words(page)
    assert "see it where it was posted" in words(page)
    assert "Check back with the customer by 25 Nov 2026, 09:18" in words(page)
    done = form_with(page, "/follow-ups/done")
    done["note"] = "Refund arrived."
    page = done.submit().follow()
    assert "Follow-up done." in words(page)
    assert "Check back with the customer" not in words(page)
    resolve = form_with(page, "/resolve")
    page = resolve.submit().follow()
    assert "Marked resolved." in words(page)
    assert "Mark resolved" not in words(page)
    follow_up = form_with(page, "/follow-up")
    follow_up["text"] = ""
    empty = follow_up.submit(status=400)
    assert "The reply is empty." in words(empty)
    follow_up = form_with(empty, "/follow-up")
    follow_up["text"] = "Glad we could sort this out by DM. Thanks for bearing with us."
    editor = follow_up.submit().follow()
    assert "Follow-up started" in words(editor)
    assert f"a follow-up to draft #{draft_id}" in words(editor)
    assert "Glad we could sort this out by DM." in words(editor)

    # Everyone heard what concerned them, and the agent reads it all at once.
    # (One unread notice per page: each decision on the draft refreshed the last one.)
    notices = agent.get("/notifications")
    assert unread(notices) == 1
    assert f"Sam Signoff signed off draft #{draft_id}" in words(notices)
    assert "Sam Signoff" not in words(browsers["admin"].get("/notifications"))
    cleared = main_form(notices).submit().follow()
    assert "marked read" in words(cleared)
    assert unread(cleared) == 0


def test_a_blocking_finding_stops_submission_with_the_reason(app, browsers):
    agent = browsers["agent"]
    complaint_id = add_complaint(app, text=CALM)
    editor = form_with(agent.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    form = editor_form(editor)
    form["part-validate"] = "Thanks, idiot."
    saved = form.submit().follow()
    refused = take(saved, "submit")
    assert refused.status_int == 409
    assert "must be fixed before this reply can go further: Hostile" in words(refused)
    assert 'role="alert"' in refused.text
    assert "Draft, not submitted" in words(agent.get(editor.request.path))


def test_each_role_sees_only_its_buttons_and_other_posts_get_403(app, users, browsers):
    with app.app_context():
        draft_id = start(app, users)
        act(draft_id, Action.SUBMIT, person(users, "agent"))
    path = f"/drafts/{draft_id}"

    as_reviewer = browsers["reviewer"].get(path)
    for label in ("Submit revision", "Withdraw this draft", 'value="publish"'):
        assert label not in as_reviewer.text
    assert "Review this draft" in words(as_reviewer)
    refused = post_action(browsers["reviewer"], as_reviewer, "withdraw", status=403)
    assert "Your role cannot withdraw." in words(refused)

    as_agent = browsers["agent"].get(path)
    assert "Review this draft" not in words(as_agent)
    assert "Withdraw this draft" in words(as_agent)
    assert browsers["agent"].get(f"{path}/review", status=403)
    assert browsers["agent"].get("/reviews", status=403)
    assert browsers["agent"].get(f"{path}/sign-off", status=403)
    refused = post_action(browsers["agent"], as_agent, "approve", status=403)
    assert "Your role cannot approve." in words(refused)

    as_signer = browsers["signoff"].get(path)
    assert "Sign it off" not in words(as_signer)  # nothing sensitive here
    refused = post_action(browsers["signoff"], as_signer, "approve", status=403)
    assert "Your role cannot approve." in words(refused)
    assert browsers["signoff"].get("/reviews", status=403)
    assert browsers["reviewer"].get("/sign-offs", status=403)

    # Withdrawing takes a confirmation step, then the draft is out of every queue.
    withdrawn = take(as_agent, "withdraw").follow()
    assert "Withdrawn. This draft will not go out." in words(withdrawn)
    assert "Withdraw this draft" not in words(withdrawn)
    assert f"Review draft #{draft_id}" not in words(browsers["reviewer"].get("/reviews"))


def test_the_author_cannot_review_their_own_draft_even_as_admin(app, users, browsers):
    with app.app_context():
        draft_id = start(app, users, author=person(users, "admin"))
    admin = browsers["admin"]
    editor = admin.get(f"/drafts/{draft_id}")
    submitted = take(editor, "submit").follow()
    assert "Submitted." in words(submitted)
    assert "Review this draft" not in words(submitted)
    assert f"Review draft #{draft_id}" not in words(admin.get("/reviews"))
    review = admin.get(f"/drafts/{draft_id}/review")
    assert "You wrote this draft; a colleague must review it." in words(review)
    assert "Approve revision" not in words(review)
    refused = post_action(admin, review, "approve", status=409)
    assert "a colleague must review it" in words(refused)


def test_a_passage_marked_by_the_script_is_kept_with_the_comment(app, users, browsers):
    with app.app_context():
        draft_id = start(app, users)
        act(draft_id, Action.SUBMIT, person(users, "agent"))
    text = revision_text(app, draft_id)
    last_word = re.findall(r"\w+", text)[-1]
    start_at = text.rindex(last_word)
    review = browsers["reviewer"].get(f"/drafts/{draft_id}/review")
    form = action_form(review, "request_changes")
    form["comment"] = "End on a warmer note."
    form["anchor_start"].force_value(str(start_at))
    form["anchor_end"].force_value(str(start_at + len(last_word)))
    form.submit().follow()
    editor = browsers["agent"].get(f"/drafts/{draft_id}")
    assert f"About the passage: “{last_word}”" in words(editor)
    assert "End on a warmer note." in words(editor)


def test_a_quoted_passage_not_in_the_reply_is_refused_and_nothing_is_lost(app, users, browsers):
    with app.app_context():
        draft_id = start(app, users)
        act(draft_id, Action.SUBMIT, person(users, "agent"))
    review = browsers["reviewer"].get(f"/drafts/{draft_id}/review")
    refused = take(
        review, "request_changes", comment="Too formal here.", quote="words nobody wrote"
    )
    assert refused.status_int == 409
    assert "The quoted passage is not in this revision" in words(refused)
    assert "Too formal here." in refused.text
    assert "words nobody wrote" in refused.text


def _published(app, users, publishers: dict[str, str]) -> tuple[int, int]:
    """A calm draft taken through review and published with these publishers."""
    policy = replace(POLICY, publishers=publishers)
    with app.app_context():
        draft_id = start(app, users)
        agent, reviewer = person(users, "agent"), person(users, "reviewer")
        for action, actor, at in (
            (Action.SUBMIT, agent, T0),
            (Action.APPROVE, reviewer, T0),
        ):
            draft = db.session.get(Draft, draft_id)
            workflow.transition(
                db.session, draft, action, actor=actor, now=at, revision_number=1, policy=policy
            )
            db.session.commit()
        draft = db.session.get(Draft, draft_id)
        later = draft.cooling_off_until
        workflow.publish(
            db.session, draft, actor=agent, now=later, revision_number=1, policy=policy
        )
        db.session.commit()
        return draft_id, draft.complaint_id


def test_a_webhook_delivery_shows_its_state_and_admins_send_a_failed_one_again(
    app, users, browsers
):
    draft_id, complaint_id = _published(app, users, {"x": "webhook"})
    path = f"/drafts/{draft_id}/publish"
    page = browsers["agent"].get(path)
    assert "Delivery by webhook" in words(page)
    assert "waiting to be sent" in words(page)
    assert "Link of the posted reply" not in words(page)
    assert '<span class="badge state state-published">Being sent</span>' in page.text
    with app.app_context():
        retry = outbox.RetryPolicy(max_attempts=1)
        [claim] = outbox.claim_due(db.session, now=T0.replace(hour=10), retry=retry)
        outbox.record_attempt(
            db.session,
            claim,
            Delivery(ok=False, error="HTTP 410 Gone"),
            now=T0.replace(hour=10),
            retry=retry,
        )
        db.session.commit()
    page = browsers["agent"].get(path)
    assert "failed" in words(page)
    assert "Attempts 1" in words(page)
    assert "Last error HTTP 410 Gone" in words(page)
    assert '<span class="badge state state-published">Sending failed</span>' in page.text
    assert "Send again" not in words(page)
    assert "An admin can send it again" in words(page)
    assert browsers["agent"].post(f"{path}/retry", {"csrf_token": csrf(page)}, status=403)
    admin_page = browsers["admin"].get(path)
    assert "could not be delivered" in words(browsers["admin"].get("/notifications"))
    sent = main_form(admin_page).submit().follow()
    assert "It will be sent again" in words(sent)
    assert "waiting to be sent" in words(sent)
    complaint = browsers["agent"].get(f"/complaints/{complaint_id}")
    assert "being sent (0 attempts so far)" in words(complaint)


def test_notifications_belong_to_their_owner_and_can_be_read_one_by_one(app, users, browsers):
    with app.app_context():
        for number in (1, 2):
            draft_id = start(app, users, f"{CALM} (asked {number} times)")
            workflow.transition(
                db.session,
                db.session.get(Draft, draft_id),
                Action.SUBMIT,
                actor=person(users, "agent"),
                now=T0,
                revision_number=1,
                policy=POLICY,
            )
            db.session.commit()
        from app.notifications.models import Notification

        mine = db.session.scalars(
            sa.select(Notification.id).where(Notification.user_id == users["reviewer"].id)
        ).all()
    page = browsers["reviewer"].get("/notifications")
    assert unread(page) == 2
    assert page.text.count('class="unread"') == 2
    browsers["agent"].get(f"/notifications/{mine[0]}", status=404)
    form = next(f for f in page.forms.values() if f.fields.get("notification"))
    page = form.submit().follow()
    assert unread(page) == 1
    assert page.text.count('class="unread"') == 1
    assert page.text.count('class="read"') == 1


def test_the_policy_page_saves_refuses_a_floor_below_a_minute_and_drives_the_next_submission(
    app, browsers, clock
):
    admin, agent = browsers["admin"], browsers["agent"]
    page = admin.get("/admin/settings/workflow")
    assert "Workflow policy" in words(page)
    assert "Default: 10 min." in words(page)
    assert "PUBLISH_WEBHOOK_URL is not configured" in words(page)
    form = main_form(page)
    assert form["cooling_off.base_minutes"].value == "10"
    assert form["target.x"].value == "1"
    assert form["target_unit.x"].value == "hours"
    form["cooling_off.base_minutes"] = "30"
    form["cooling_off.hot_extra_minutes"] = "0"
    form["cooling_off.warn_extra_minutes"] = "0"
    form["cooling_off.floor_minutes"] = "0.5"
    form["target.x"] = "abc"
    form["signoff.flag.media"] = "legal"
    refused = form.submit(status=400)
    assert "nothing was saved" in words(refused)
    assert "cooling-off cannot be switched off" in words(refused)
    assert "A number of minutes or hours" in words(refused)
    form = main_form(refused)
    assert form["cooling_off.base_minutes"].value == "30"  # nothing typed is lost
    assert form["cooling_off.floor_minutes"].value == "0.5"
    assert form["signoff.flag.media"].value == "legal"
    assert main_form(admin.get("/admin/settings/workflow"))["cooling_off.base_minutes"].value == (
        "10"
    )

    form["cooling_off.floor_minutes"] = "1"
    form["target.x"] = "1"
    form["target_unit.x"] = "minutes"
    saved = form.submit().follow()
    assert "Workflow policy saved" in words(saved)
    # The audit log says what changed, old → new, in the page's own words.
    audit_page = words(admin.get("/admin/audit?action=settings."))
    assert "Ada Admin updated the workflow policy: Base cooling-off: 10 minutes → 30 minutes" in (
        audit_page
    )
    assert "Response target on X (Twitter): 1 hour → 1 minute" in audit_page
    form = main_form(saved)
    assert form["cooling_off.base_minutes"].value == "30"
    assert form["target.x"].value == "1"
    assert form["target_unit.x"].value == "minutes"

    # The next complaint on X is due in a minute: the editor warns before submitting,
    # and the submission cools off for the new 30 minutes.
    complaint_id = add_complaint(app, text=CALM)
    editor = form_with(agent.get(f"/complaints/{complaint_id}"), "/drafts").submit().follow()
    # Before submitting: how long it will wait and why, from the policy's own computation.
    assert (
        "When you submit, this reply waits 30 minutes before it can go out: "
        "30 minutes for every reply."
    ) in words(editor)
    assert ("Submitted now, cooling-off would end 29 minutes after the response target.") in words(
        editor
    )
    submitted = take(editor, "submit").follow()
    assert "Submitted. Cooling off until 09:30" in words(submitted)
    assert "When you submit" not in words(submitted)
    assert "Cooling-off ends 29 minutes after the response target." in words(submitted)
    queue = browsers["reviewer"].get("/reviews")
    assert "Cooling-off ends 09:30 UTC, 29 minutes after the response target." in words(queue)
    # Once the reply is overdue the warning is moot: the clock says "overdue" instead.
    clock.advance(minutes=2)
    assert "after the response target" not in words(agent.get(submitted.request.path))
    assert "after the response target" not in words(browsers["reviewer"].get("/reviews"))


def test_only_admins_open_the_policy_page(browsers):
    assert browsers["agent"].get("/admin/settings/workflow", status=403)
    page = browsers["admin"].get("/inbox").click("Admin", href="/admin$")
    assert "Workflow policy" in words(page)
    assert "Admin" not in words(browsers["reviewer"].get("/inbox"))
    assert browsers["reviewer"].get("/admin", status=403)


# The diff the review page shows ------------------------------------------------------------


def rendered(segments) -> str:
    marks = {"same": "{}", "del": "[-{}-]", "ins": "{{+{}+}}"}
    return "".join(marks[s.kind].format(s.text) for s in segments)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("Same words.", "Same words.", "Same words."),
        (
            "Sorry for the delay.",
            "Sorry for the long delay!",
            "Sorry for the {+long +}delay[-.-]{+!+}",
        ),
        ("We will call you.", "We will email you.", "We will [-call-]{+email+} you."),
        ("one two three", "four five six", "[-one two three-]{+four five six+}"),
        ("", "New text.", "{+New text.+}"),
        ("Old text.", "", "[-Old text.-]"),
        ("Thanks 👍 we're on it", "Thanks 👍 we are on it", "Thanks 👍 we[-'re-]{+ are+} on it"),
    ],
)
def test_word_diff_marks_whole_words(before, after, expected):
    segments = diff.word_diff(before, after)
    assert rendered(segments) == expected
    assert "".join(s.text for s in segments if s.kind != "ins") == before
    assert "".join(s.text for s in segments if s.kind != "del") == after
    assert diff.changed(segments) == (before != after)


def test_find_passage_gives_the_first_occurrence_across_line_breaks():
    text = "Please DM us.\nWe will DM you back\ntoday."
    assert diff.find_passage(text, "DM") == (7, 9)
    assert diff.find_passage(text, " back today. ") == (text.index("back"), len(text))
    assert diff.find_passage(text, "nowhere") is None
    assert diff.find_passage(text, "   ") is None


def test_the_review_page_diff_escapes_markup(app, users, browsers):
    with app.app_context():
        draft_id = start(app, users)
        draft = db.session.get(Draft, draft_id)
        from tests.fixtures.workflow import edit

        edit(draft, {"close_loop": "We'll <b>update</b> you by Friday."}, person(users, "agent"))
        workflow.transition(
            db.session,
            db.session.get(Draft, draft_id),
            Action.SUBMIT,
            actor=person(users, "agent"),
            now=T0,
            revision_number=2,
            policy=POLICY,
        )
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Revision.id))) == 2
    review = browsers["reviewer"].get(f"/drafts/{draft_id}/review")
    assert "&lt;b&gt;update&lt;/b&gt;" in review.text
    assert "<b>update</b>" not in review.text


def test_the_editor_says_how_long_cooling_off_will_be_and_why_before_submitting(app, users):
    """The length and its reasons come from `CoolingOffPolicy.explain`, the computation the
    submission itself uses: what the editor says is what the draft then waits."""
    with app.app_context():
        draft_id = start(app, users)
        db.session.get(Draft, draft_id).complaint.heat_label = "high"
        db.session.commit()
    agent = TestApp(app, extra_environ={"HTTP_HOST": "composure.test"})
    web_login(agent, users["agent"].email)
    editor = agent.get(f"/drafts/{draft_id}")
    said = (
        "When you submit, this reply waits 20 minutes before it can go out: 10 minutes for "
        "every reply; 10 minutes more because the customer is very angry."
    )
    assert said in words(editor)
    submitted = take(editor, "submit").follow()
    assert "When you submit" not in words(submitted)
    assert "Cooling off until 09:20 UTC" in words(submitted)
    assert "(20 minutes left)" in words(submitted)
