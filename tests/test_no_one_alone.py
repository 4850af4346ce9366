"""No one person puts words out alone (issue 13, points 1, 2 and 8): whoever wrote any
words of a revision neither approves nor signs it off; sign-off counts per group, from a
member, one person per group; powers to approve or sign wait for a second admin; a posted
link is recorded by the reply's people only, once. Through the API, the forms and the
domain, the admin variants included."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts import grants, operations
from app.accounts.models import AccessChange, AccessChangeStatus, Role
from app.audit.models import AuditEvent
from app.drafts import workflow
from app.drafts.models import Draft, Publication
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.users import get_user, make_user
from tests.fixtures.web import main_form, web_login
from tests.fixtures.workflow import start

LIABILITY = "We accept full liability for the accident and will pay any amount you ask."
LEGAL_CASE = "@NorthwindHome I was charged twice for the sofa, my lawyer will sue you."
CALM_CASE = "@NorthwindHome my parcel #NW-48213 is a week late, can you check where it is?"


@pytest.fixture
def api(plain_app, users, clock):
    """`api(method, path, who, payload)`: `who` is a role of the users fixture or an e-mail."""
    client = plain_app.test_client()
    tokens: dict[str, str] = {}

    def token(who: str) -> str:
        if who not in tokens:
            email = users[who].email if who in users else who
            with plain_app.app_context():
                user = operations.find_user(db.session, email)
                _, tokens[who] = operations.create_api_token(
                    db.session, user=user, name="test", actor=None, now=T0
                )
                db.session.commit()
        return tokens[who]

    def call(method: str, path: str, who: str = "agent", payload: dict | None = None):
        headers = {"Authorization": f"Bearer {token(who)}"}
        response = client.open(path, method=method, headers=headers, json=payload)
        return response.status_code, response.get_json()

    return call


def new_draft(api, text: str = CALM_CASE) -> str:
    status, complaint = api("POST", "/api/v1/complaints", "agent", {"channel": "x", "text": text})
    assert status == 201, complaint
    status, draft = api("POST", f"/api/v1/complaints/{complaint['id']}/drafts", "agent", {})
    assert status == 201, draft
    status, body = api("POST", f"/api/v1/drafts/{draft['id']}/submit", "agent", {"revision": 1})
    assert status == 200, body
    return f"/api/v1/drafts/{draft['id']}"


def test_an_admin_who_rewrites_a_draft_cannot_approve_or_publish_it_alone(api, clock):
    path = new_draft(api)
    status, body = api("PATCH", path, "admin", {"revision": 1, "text": "[ADMIN-WORDS] Sorted."})
    assert (status, body["revision"]) == (200, 2)
    status, body = api("POST", f"{path}/approve", "admin", {"revision": 2})
    assert (status, body["error"]["code"]) == (409, "self_approval")
    assert "wrote words of this revision" in body["error"]["message"]
    clock.advance(days=1)
    status, body = api("POST", f"{path}/publish", "admin", {"revision": 2})
    assert (status, body["error"]["code"]) == (409, "needs_approval")
    # A colleague who wrote none of it approves: then it may go out.
    status, body = api("POST", f"{path}/approve", "reviewer", {"revision": 2})
    assert status == 200
    status, body = api("POST", f"{path}/publish", "admin", {"revision": 2})
    assert (status, body["state"]) == (200, "published")


def test_an_admin_edit_after_approval_leaves_nothing_the_admin_can_approve(api, clock):
    path = new_draft(api)
    assert api("POST", f"{path}/approve", "reviewer", {"revision": 1})[0] == 200
    api("PATCH", path, "admin", {"revision": 1, "text": "Changed by the admin."})
    # The agent edits again: the admin's words may be gone, but they wrote revision 2,
    # which revision 3 is built on.
    api("PATCH", path, "agent", {"revision": 2, "text": "The agent's words again."})
    status, body = api("POST", f"{path}/approve", "admin", {"revision": 3})
    assert (status, body["error"]["code"]) == (409, "self_approval")
    _, state = api("GET", path, "admin")
    assert "needs_approval" in [refusal["code"] for refusal in state["publish_refusals"]]


def test_one_person_signs_for_one_group_and_only_for_their_own(api, app, clock):
    make_user(app, "lee.legal@example.com", Role.SIGNOFF, groups={"legal"})
    # A lawyer and the press: legal and PR must both sign off.
    status, complaint = api(
        "POST",
        "/api/v1/complaints",
        "agent",
        {"channel": "x", "text": "@NorthwindHome charged twice, my lawyer and the BBC will hear"},
    )
    assert status == 201, complaint
    assert {"legal_threat", "media"} <= set(complaint["flags"])
    _, draft = api("POST", f"/api/v1/complaints/{complaint['id']}/drafts", "agent", {})
    both = f"/api/v1/drafts/{draft['id']}"
    api("POST", f"{both}/submit", "agent", {"revision": 1})
    _, state = api("GET", both, "agent")
    assert {reason["group"] for reason in state["signoff_reasons"]} == {"legal", "pr"}

    # Lee is in legal only: no PR sign-off from Lee.
    status, body = api(
        "POST", f"{both}/sign-off", "lee.legal@example.com", {"revision": 1, "group": "pr"}
    )
    assert (status, body["error"]["code"]) == (409, "not_a_member")
    # Sam is in both groups, but signs for one: the second group needs someone else.
    status, body = api("POST", f"{both}/sign-off", "signoff", {"revision": 1, "group": "legal"})
    assert status == 200
    status, body = api("POST", f"{both}/sign-off", "signoff", {"revision": 1, "group": "pr"})
    assert (status, body["error"]["code"]) == (409, "one_group_each")
    assert "different person" in body["error"]["message"]
    api("POST", f"{both}/approve", "reviewer", {"revision": 1})
    clock.advance(days=1)
    status, body = api("POST", f"{both}/publish", "agent", {"revision": 1})
    assert (status, body["error"]["code"]) == (409, "needs_signoff")
    assert "pr" in body["error"]["message"]


def test_an_admin_with_the_signoff_role_cannot_sign_off_their_own_rewrite(api, app, clock):
    make_user(app, "boss@example.com", Role.ADMIN, Role.SIGNOFF, groups={"legal", "pr"})
    path = new_draft(api, LEGAL_CASE)
    status, body = api("PATCH", path, "boss@example.com", {"revision": 1, "text": LIABILITY})
    assert status == 200
    for group in ("legal", "pr"):
        status, body = api(
            "POST", f"{path}/sign-off", "boss@example.com", {"revision": 2, "group": group}
        )
        assert (status, body["error"]["code"]) == (409, "self_approval")
    api("POST", f"{path}/approve", "reviewer", {"revision": 2})
    clock.advance(days=1)
    status, body = api("POST", f"{path}/publish", "boss@example.com", {"revision": 2})
    assert (status, body["error"]["code"]) == (409, "needs_signoff")


# --- the same through the forms --------------------------------------------------------


def test_through_the_forms_an_admin_edit_takes_away_the_admins_approve_button(
    web, app, users, clock
):
    path = new_draft_by_forms(web, app, users)
    web_login(web, users["admin"].email)
    editor = web.get(path)
    form = next(f for f in editor.forms.values() if "part-close_loop" in f.fields)
    form["part-close_loop"] = "[ADMIN-WORDS] We'll update you here by 5pm tomorrow."
    assert form.submit(status="*").status_code in (200, 302)
    review = web.get(f"{path}/review")
    assert 'value="approve"' not in review.text
    assert "wrote words of this revision" in review.text
    crafted = web.post(
        f"{path}/act",
        {"csrf_token": csrf_of(review), "action": "approve", "revision": "2"},
        status="*",
    )
    assert crafted.status_code == 409
    assert "wrote words of this revision" in crafted.text
    with app.app_context():
        draft = db.session.get(Draft, int(path.rsplit("/", 1)[1]))
        assert draft.state.value == "cooling_off"


def new_draft_by_forms(web, app, users) -> str:
    """A submitted draft on a calm complaint, written and submitted by the agent; returns
    the draft's page path."""
    with app.app_context():
        draft = db.session.get(Draft, start(app, users, CALM_CASE))
        workflow.transition(
            db.session, draft, workflow.Action.SUBMIT, actor=draft.author, now=T0, revision_number=1
        )
        db.session.commit()
        return f"/drafts/{draft.id}"


def csrf_of(page) -> str:
    return next(f for f in page.forms.values() if "csrf_token" in f.fields)["csrf_token"].value


# --- powers wait for a second admin ----------------------------------------------------


def test_with_two_admins_a_grant_of_powers_waits_for_the_other(web, app, users):
    make_user(app, "second.admin@example.com", Role.ADMIN, name="Bo Admin")
    web_login(web, users["admin"].email)
    # Ada gives herself the sign-off role and both groups.
    form = main_form(web.get(f"/admin/users/{users['admin'].id}"))
    form["roles"] = ["admin", "signoff"]
    form["groups"] = ["legal", "pr"]
    saved = form.submit().follow()
    assert "waits for another admin to confirm" in saved.text
    with app.app_context():
        ada = get_user(users["admin"])
        assert ada.roles == {Role.ADMIN}
        assert ada.groups == frozenset()
        change = db.session.scalar(sa.select(AccessChange))
        assert change.status == AccessChangeStatus.PENDING
        assert (change.add_roles, change.add_groups) == (["signoff"], ["legal", "pr"])
    # She cannot confirm it herself: no Confirm button, and a crafted post is refused.
    assert "/confirm" not in saved.text
    refused = web.post(
        f"/admin/access-changes/{change.id}/confirm", {"csrf_token": csrf_of(saved)}
    ).follow()
    assert "another admin must confirm it" in refused.text
    with app.app_context():
        assert get_user(users["admin"]).roles == {Role.ADMIN}

    # Bo confirms it from the users page.
    web.post("/logout", {"csrf_token": csrf_of(refused)})
    web_login(web, "second.admin@example.com")
    page = web.get("/admin/users")
    assert "Waiting for a second admin (1)" in page.text
    confirm = next(
        f for f in page.forms.values() if (f.action or "").endswith(f"/{change.id}/confirm")
    )
    done = confirm.submit().follow()
    assert "confirmed" in done.text
    with app.app_context():
        ada = get_user(users["admin"])
        assert ada.roles == {Role.ADMIN, Role.SIGNOFF}
        assert ada.groups == {"legal", "pr"}
        actions = [
            (e.action, e.actor_id)
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action.like("access.%"))
            )
        ]
        bo = operations.find_user(db.session, "second.admin@example.com")
        assert actions == [("access.requested", ada.id), ("access.confirmed", bo.id)]
        applied = db.session.scalar(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "user.access_changed")
            .order_by(AuditEvent.id.desc())
        )
        assert applied.actor_id == bo.id
        assert applied.details["requested_by"] == ada.id


def test_taking_powers_away_never_waits_and_a_lone_admin_is_audited(ctx, users):
    ada = get_user(users["admin"])
    reviewer = get_user(users["reviewer"])
    bo = get_user(make_user(ctx, "bo@example.com", Role.ADMIN))
    bo.active, bo.deactivated_at = False, T0  # Ada alone, for now
    outcome = grants.change_access(
        db.session,
        target=reviewer,
        roles={Role.REVIEWER, Role.SIGNOFF},
        groups={"legal"},
        actor=ada,
        now=T0,
    )
    assert outcome.pending is None  # one admin: nobody else could confirm
    assert reviewer.roles == {Role.REVIEWER, Role.SIGNOFF}
    bo.active, bo.deactivated_at = True, None
    outcome = grants.change_access(
        db.session, target=reviewer, roles={Role.AGENT}, groups=set(), actor=bo, now=T0
    )
    assert outcome.pending is None
    assert reviewer.roles == {Role.AGENT}
    assert reviewer.groups == frozenset()
    # Adding a plain agent role waits for nobody either; adding reviewer does.
    outcome = grants.change_access(
        db.session, target=reviewer, roles={Role.AGENT, Role.REVIEWER}, actor=bo, now=T0
    )
    assert outcome.pending is not None
    assert reviewer.roles == {Role.AGENT}
    with pytest.raises(grants.GrantError, match="another admin"):
        grants.confirm(db.session, outcome.pending, actor=bo, now=T0)
    grants.confirm(db.session, outcome.pending, actor=ada, now=T0)
    assert reviewer.roles == {Role.AGENT, Role.REVIEWER}


def test_an_invitation_with_powers_waits_too(ctx, users):
    make_user(ctx, "bo@example.com", Role.ADMIN)
    ada = get_user(users["admin"])
    user, _, outcome = operations.invite_user(
        db.session,
        email="sock.puppet@example.com",
        name="Sock Puppet",
        roles={Role.AGENT, Role.REVIEWER},
        actor=ada,
        now=T0,
    )
    assert user.roles == {Role.AGENT}
    assert outcome.pending.add_roles == ["reviewer"]


def test_admins_define_groups_and_the_policy_can_use_them(web, app, users):
    web_login(web, users["admin"].email)
    form = main_form(web.get("/admin/groups"))
    form["key"] = "privacy"
    form["name"] = "Privacy office"
    page = form.submit().follow()
    assert "Privacy office" in page.text
    assert "nobody yet" in page.text
    policy = web.get("/admin/settings/workflow")
    assert 'value="privacy"' in policy.text
    bad = main_form(web.get("/admin/groups"))
    bad["key"] = "Not A Key!"
    bad["name"] = "x"
    assert "lower-case" in bad.submit(status=400).text


# --- the posted link --------------------------------------------------------------------


def test_only_the_replys_people_record_its_link_and_only_once(api, app, clock):
    path = new_draft(api)
    api("POST", f"{path}/approve", "reviewer", {"revision": 1})
    clock.advance(days=1)
    assert api("POST", f"{path}/publish", "agent", {"revision": 1})[0] == 200
    make_user(app, "other.agent@example.com", Role.AGENT)
    link = f"{path}/publication/link"
    status, body = api("POST", link, "other.agent@example.com", {"url": "https://x.com/evil/1"})
    assert status == 403
    assert "author" in body["error"]["message"]
    status, _ = api("POST", link, "agent", {"url": "https://x.com/northwind/status/1"})
    assert status == 200
    status, _ = api("POST", link, "agent", {"url": "https://x.com/northwind/status/1"})
    assert status == 200  # the same link again: nothing changes
    for who in ("agent", "admin"):
        status, body = api("POST", link, who, {"url": "https://x.com/somewhere/else"})
        assert status == 409, body
        assert "cannot be changed" in body["error"]["message"]
    with app.app_context():
        publication = db.session.scalar(sa.select(Publication))
        assert publication.external_url == "https://x.com/northwind/status/1"
