"""Signing in, throttling, invitations, roles and deactivation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts import grants, operations, permissions
from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.users import PASSWORD, get_user, make_user
from tests.fixtures.web import main_form, web_login


def test_a_person_signs_in_and_lands_on_the_inbox(web, users):
    response = web_login(web, users["agent"].email)
    assert response.status_code == 302
    inbox = response.follow()
    assert "Inbox" in inbox.text
    assert "Alex Agent" in inbox.text


def test_a_wrong_password_says_so_without_telling_which_part_was_wrong(web, users):
    response = web_login(web, users["agent"].email, "not the password")
    assert response.status_code == 401
    assert "E-mail or password is not right" in response.text
    unknown = web_login(web, "nobody@example.com", "not the password")
    assert unknown.status_code == 401
    assert "E-mail or password is not right" in unknown.text


def test_passwords_are_stored_as_argon2id(ctx, users):
    user = get_user(users["agent"])
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_repeated_failures_lock_the_account_for_a_while(plain_app, users, clock):
    client = plain_app.test_client()
    email = users["agent"].email
    for _ in range(5):
        assert client.post("/login", data={"email": email, "password": "wrong"}).status_code == 401
    locked = client.post("/login", data={"email": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in locked.get_data(as_text=True)
    # Other people can still sign in from elsewhere.
    assert (
        client.post(
            "/login", data={"email": users["reviewer"].email, "password": PASSWORD}
        ).status_code
        == 302
    )
    clock.advance(minutes=15, seconds=1)
    assert (
        plain_app.test_client()
        .post("/login", data={"email": email, "password": PASSWORD})
        .status_code
        == 302
    )


def test_login_refuses_to_redirect_to_another_site(plain_app, users):
    client = plain_app.test_client()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}", data={"email": users["agent"].email, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response.location.endswith("/")
        assert "evil" not in response.location
        client.post("/logout")
    response = client.post(
        "/login?next=/complaints/new", data={"email": users["agent"].email, "password": PASSWORD}
    )
    assert response.location.endswith("/complaints/new")


def test_forms_without_a_csrf_token_change_nothing(app, users):
    client = app.test_client()  # CSRF on
    response = client.post("/login", data={"email": users["agent"].email, "password": PASSWORD})
    assert response.status_code == 400
    with app.app_context():
        assert (
            db.session.scalar(sa.select(User.last_login_at).where(User.id == users["agent"].id))
            is None
        )


def test_an_admin_invites_a_colleague_who_sets_a_password(web, users, app):
    web_login(web, users["admin"].email)
    form = main_form(web.get("/admin/users/invite"))
    form["email"] = "New.Person@Example.com"
    form["name"] = "New Person"
    form["roles"] = ["reviewer", "signoff"]
    page = form.submit()
    link = page.html.find("input", id="invite-link")["value"]
    assert "/invitation/" in link
    web.post("/logout", {"csrf_token": page.html.find("input", {"name": "csrf_token"})["value"]})

    accept = main_form(web.get(link.replace("http://composure.test", "")))
    accept["password"] = "a long new password"
    accept["confirm"] = "a long new password"
    inbox = accept.submit().follow()
    assert "Welcome, New Person" in inbox.text
    with app.app_context():
        user = operations.find_user(db.session, "new.person@example.com")
        assert user.roles == {Role.REVIEWER, Role.SIGNOFF}
    # The link works once.
    assert web.get(link.replace("http://composure.test", ""), status=404)


def test_roles_change_and_are_audited(web, users, app):
    web_login(web, users["admin"].email)
    form = main_form(web.get(f"/admin/users/{users['norole'].id}"))
    form["roles"] = ["agent"]
    form.submit().follow()
    with app.app_context():
        assert get_user(users["norole"]).roles == {Role.AGENT}
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "user.access_changed")
        )
        assert event.details == {"roles": {"before": [], "after": ["agent"]}}
        assert event.actor_id == users["admin"].id


def test_a_deactivated_person_is_signed_out_and_cannot_sign_in(plain_app, users):
    colleague = plain_app.test_client()
    colleague.post("/login", data={"email": users["agent"].email, "password": PASSWORD})
    assert colleague.get("/").status_code == 200
    admin = plain_app.test_client()
    admin.post("/login", data={"email": users["admin"].email, "password": PASSWORD})
    assert admin.post(f"/admin/users/{users['agent'].id}/deactivate").status_code == 302
    assert colleague.get("/").status_code == 302  # session ended
    response = colleague.post("/login", data={"email": users["agent"].email, "password": PASSWORD})
    assert response.status_code == 401
    with plain_app.app_context():
        user = get_user(users["agent"])
        assert user is not None
        assert not user.active


def test_the_last_admin_cannot_lock_everyone_out(ctx, users):
    admin = get_user(users["admin"])
    with pytest.raises(operations.AccountError, match="own account"):
        operations.deactivate(db.session, target=admin, actor=admin, now=T0)
    with pytest.raises(grants.GrantError, match="own admin role"):
        grants.change_access(db.session, target=admin, roles={Role.AGENT}, actor=admin, now=T0)
    second = get_user(make_user(ctx, "second@example.com", Role.ADMIN))
    grants.change_access(db.session, target=admin, roles={Role.AGENT}, actor=second, now=T0)
    db.session.commit()
    assert grants.active_admin_count(db.session) == 1


def test_permission_checks_read_like_the_policy(ctx, users):
    agent, admin = get_user(users["agent"]), get_user(users["admin"])
    assert permissions.can(agent, permissions.Permission.CREATE_COMPLAINTS)
    assert not permissions.can(agent, permissions.Permission.MANAGE_USERS)
    assert permissions.can(admin, permissions.Permission.MANAGE_USERS)
    agent.active = False
    assert not permissions.can(agent, permissions.Permission.VIEW_COMPLAINTS)
    assert not permissions.can(None, permissions.Permission.VIEW_COMPLAINTS)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "must have an @-sign"),
        ("agent@example.com", "already exists"),
    ],
)
def test_bad_new_accounts_are_refused_with_a_reason(ctx, users, email, message):
    with pytest.raises(operations.AccountError, match=message):
        operations.create_user(
            db.session,
            email=email,
            name="X",
            roles={Role.AGENT},
            password=PASSWORD,
            actor=None,
            now=T0,
        )


def test_short_passwords_are_refused(ctx):
    with pytest.raises(operations.AccountError, match="at least 10 characters"):
        operations.create_user(
            db.session,
            email="p@example.com",
            name="P",
            roles={Role.AGENT},
            password="short",
            actor=None,
            now=T0,
        )
