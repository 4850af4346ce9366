"""Issue 13: safe redirects after sign-in, sessions that end, a throttle per source, API
tokens with a name, a scope and an expiry, and password change and reset."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import sqlalchemy as sa

from app.accounts import operations, passwords, throttle
from app.accounts.models import ApiToken, LinkPurpose
from app.audit.models import AuditEvent
from app.extensions import db
from tests.fixtures.app import T0
from tests.fixtures.users import PASSWORD, get_user, login
from tests.fixtures.web import main_form, web_login

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
NEW_PASSWORD = "a brand new passphrase"
POLICY = throttle.ThrottlePolicy(max_failures=5, window=timedelta(minutes=15))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# --- 5. where sign-in sends you ----------------------------------------------------------


def test_the_reported_tab_redirect_goes_home(plain_app, users):
    response = plain_app.test_client().post(
        "/login?next=/%09/evil.example/phish",
        data={"email": users["agent"].email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert "evil" not in response.location
    assert response.location.endswith("/")


def test_a_newline_in_next_when_signed_in_is_no_server_error(client_for):
    response = client_for("agent").get("/login?next=/%0A/x")
    assert response.status_code == 302
    assert "\n" not in response.location
    assert "//" not in response.location.removeprefix("http://")


BAIT = [
    "/%09/evil.example",
    "/%5C%5Cevil.example",
    "/\\evil.example",
    "https://evil.example/",
    "//evil.example",
    "%2F%2Fevil.example",
    "/%0A/x",
    "/%0D%0A/evil.example",
    "%0A//evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt%3Aalert(1)",
    "/%00/evil.example",
    "/%E2%80%8B/evil.example",
    "http:/evil.example",
    "/" + "a%FF%00" * 3000,
    "%" * 500,
]


@pytest.mark.parametrize("target", BAIT)
def test_bait_in_next_never_leaves_the_site_or_fails(plain_app, users, target):
    client = plain_app.test_client()
    response = client.post(
        f"/login?next={target}", data={"email": users["agent"].email, "password": PASSWORD}
    )
    assert response.status_code == 302
    location = response.location
    assert "evil" not in location
    assert "javascript" not in location.lower()
    assert not any(ord(char) < 32 or ord(char) == 127 for char in location)
    # Signed in already: the same answer, never a 500.
    again = client.get(f"/login?next={target}")
    assert again.status_code == 302
    assert "evil" not in again.location


def test_a_local_next_is_kept(plain_app, users):
    response = plain_app.test_client().post(
        "/login?next=/complaints/new?channel=x",
        data={"email": users["agent"].email, "password": PASSWORD},
    )
    assert response.location.endswith("/complaints/new?channel=x")


# --- 6. signing out ends the session -----------------------------------------------------


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name, domain="composure.test")
    return found.value if found else None


def replay(app, **cookies: str):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value, domain="composure.test")
    return client


def test_a_session_cookie_captured_before_sign_out_is_dead_after_it(plain_app, users):
    client = plain_app.test_client()
    client.post(
        "/login", data={"email": users["agent"].email, "password": PASSWORD, "remember": "y"}
    )
    captured_session = cookie(client, "session")
    captured_remember = cookie(client, "remember_token")
    assert captured_session
    assert captured_remember
    assert replay(plain_app, session=captured_session).get("/").status_code == 200
    client.post("/logout")

    assert client.get("/").status_code == 302
    response = replay(plain_app, session=captured_session).get("/")
    assert response.status_code == 302
    assert "/login" in response.location
    response = replay(plain_app, remember_token=captured_remember).get("/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_signing_out_on_one_device_keeps_the_others(plain_app, users):
    laptop, phone = plain_app.test_client(), plain_app.test_client()
    login(laptop, users["agent"].email)
    login(phone, users["agent"].email)
    laptop.post("/logout")
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200
    from app.accounts.models import UserSession

    with plain_app.app_context():
        records = db.session.scalars(sa.select(UserSession).order_by(UserSession.id)).all()
        assert [record.revoked_at is not None for record in records] == [True, False]


def test_the_remember_cookie_is_short_lived_lax_and_http_only(plain_app, users):
    response = plain_app.test_client().post(
        "/login", data={"email": users["agent"].email, "password": PASSWORD, "remember": "y"}
    )
    header = next(
        value
        for value in response.headers.getlist("Set-Cookie")
        if value.startswith("remember_token=")
    )
    assert "SameSite=Lax" in header
    assert "HttpOnly" in header
    # Flask-Login dates the cookie by the wall clock, not the app's frozen one.
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    assert timedelta(days=14) <= expires - datetime.now(UTC) <= timedelta(days=30)


def test_a_session_unused_for_longer_than_the_remember_period_is_over(plain_app, users, clock):
    client = plain_app.test_client()
    login(client, users["agent"].email)
    clock.advance(days=31)
    assert client.get("/").status_code == 302


# --- 10. the throttle counts per source, atomically --------------------------------------


def post_login(app, email: str, password: str, addr: str):
    return app.test_client().post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": addr},
    )


def test_an_attacker_cannot_lock_the_owner_out(plain_app, users):
    email = users["agent"].email
    for _ in range(5):
        assert post_login(plain_app, email, "wrong", "198.51.100.9").status_code == 401
    assert post_login(plain_app, email, PASSWORD, "198.51.100.9").status_code == 429
    # The owner, from their own address, signs in as usual.
    assert post_login(plain_app, email, PASSWORD, "203.0.113.50").status_code == 302
    assert "login.throttled" in audit_actions(plain_app)


def test_a_noisy_address_is_slowed_for_every_email(plain_app, users):
    for number in range(50):
        post_login(plain_app, f"guess{number}@example.com", "wrong", "198.51.100.9")
    assert post_login(plain_app, users["agent"].email, PASSWORD, "198.51.100.9").status_code == 429
    assert post_login(plain_app, users["agent"].email, PASSWORD, "198.51.100.10").status_code == 302


def test_a_source_that_keeps_failing_waits_longer_each_time(plain_app, users, clock):
    email = users["agent"].email
    for _ in range(5):
        post_login(plain_app, email, "wrong", "198.51.100.9")
    clock.advance(minutes=15, seconds=1)
    assert post_login(plain_app, email, "wrong", "198.51.100.9").status_code == 401
    for _ in range(4):
        post_login(plain_app, email, "wrong", "198.51.100.9")
    clock.advance(minutes=15, seconds=1)
    # The second lock-out of the same source lasts twice as long.
    refused = post_login(plain_app, email, PASSWORD, "198.51.100.9")
    assert refused.status_code == 429
    clock.advance(minutes=15)
    assert post_login(plain_app, email, PASSWORD, "198.51.100.9").status_code == 302


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_thirty_concurrent_guesses_get_at_most_the_limit_of_password_checks(
    plain_app, users, monkeypatch
):
    checks = []
    lock = threading.Lock()
    real_verify = passwords.verify_password

    def counting_verify(password_hash, password):
        with lock:
            checks.append(password)
        threading.Event().wait(0.05)  # as long as a real Argon2 check, to widen any race
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting_verify)
    email = users["agent"].email
    start = threading.Barrier(30)
    statuses = []

    def guess(number: int) -> None:
        client = plain_app.test_client()
        start.wait()
        response = client.post(
            "/login",
            data={"email": email, "password": f"guess {number}"},
            environ_base={"REMOTE_ADDR": "198.51.100.9"},
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) <= 5
    assert sorted(set(statuses)) == [401, 429]
    assert post_login(plain_app, email, PASSWORD, "203.0.113.50").status_code == 302


# --- 11. API tokens: name, scope, expiry, revoke -----------------------------------------


def new_token(app, person, *, scope: str = "act", days: int = 90, name: str = "bot") -> str:
    with app.app_context():
        _, secret = operations.create_api_token(
            db.session,
            user=get_user(person),
            name=name,
            scope=operations.TokenScope(scope),
            expires_in=timedelta(days=days),
            actor=None,
            now=T0,
        )
        db.session.commit()
        return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def complaint_id(plain_app, users):
    secret = new_token(plain_app, users["agent"])
    response = plain_app.test_client().post(
        "/api/v1/complaints",
        json={"channel": "x", "text": "Where is my parcel?"},
        headers=bearer(secret),
    )
    assert response.status_code == 201
    return response.get_json()["id"]


def test_a_read_token_reads_and_nothing_more(plain_app, users, complaint_id):
    client = plain_app.test_client()
    secret = new_token(plain_app, users["agent"], scope="read")
    assert client.get("/api/v1/complaints", headers=bearer(secret)).status_code == 200
    refused = client.post(
        "/api/v1/complaints", json={"channel": "x", "text": "hello"}, headers=bearer(secret)
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "insufficient_scope"
    assert "'read'" in refused.get_json()["error"]["message"]


def test_a_draft_token_drafts_but_does_not_move_the_workflow(plain_app, users, complaint_id):
    client = plain_app.test_client()
    secret = new_token(plain_app, users["agent"], scope="draft")
    created = client.post(
        f"/api/v1/complaints/{complaint_id}/drafts", json={}, headers=bearer(secret)
    )
    assert created.status_code == 201, created.get_json()
    draft = created.get_json()
    submit = client.post(
        f"/api/v1/drafts/{draft['id']}/submit",
        json={"revision": draft["revision"]},
        headers=bearer(secret),
    )
    assert submit.status_code == 403
    assert submit.get_json()["error"]["code"] == "insufficient_scope"
    act = new_token(plain_app, users["agent"], scope="act")
    submit = client.post(
        f"/api/v1/drafts/{draft['id']}/submit",
        json={"revision": draft["revision"]},
        headers=bearer(act),
    )
    assert submit.status_code == 200, submit.get_json()


def test_a_token_never_grants_more_than_its_user(plain_app, users):
    secret = new_token(plain_app, users["reviewer"], scope="act")
    response = plain_app.test_client().post(
        "/api/v1/complaints", json={"channel": "x", "text": "hello"}, headers=bearer(secret)
    )
    assert response.status_code == 403


def test_an_expired_token_is_refused_with_a_clear_message(plain_app, users, clock):
    secret = new_token(plain_app, users["agent"], days=30)
    client = plain_app.test_client()
    assert client.get("/api/v1/complaints", headers=bearer(secret)).status_code == 200
    clock.advance(days=30, seconds=1)
    response = client.get("/api/v1/complaints", headers=bearer(secret))
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]["message"]


def test_tokens_live_at_most_a_year(ctx, users):
    with pytest.raises(operations.AccountError, match="year"):
        operations.create_api_token(
            db.session,
            user=get_user(users["agent"]),
            name="forever",
            scope=operations.TokenScope.READ,
            expires_in=timedelta(days=366),
            actor=None,
            now=T0,
        )


def test_revoking_one_token_leaves_the_others(plain_app, users):
    first = new_token(plain_app, users["agent"], name="first")
    second = new_token(plain_app, users["agent"], name="second")
    with plain_app.app_context():
        token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "first"))
        operations.revoke_api_token(db.session, token=token, actor=get_user(users["agent"]), now=T0)
        db.session.commit()
    client = plain_app.test_client()
    assert client.get("/api/v1/complaints", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/complaints", headers=bearer(second)).status_code == 200
    assert {"api_token.created", "api_token.revoked"} <= set(audit_actions(plain_app))


def test_every_api_route_declares_the_scope_it_needs(ctx):
    from app.web.access import SCOPE_ATTRIBUTE

    app = ctx
    missing = [
        f"{sorted(rule.methods - {'HEAD', 'OPTIONS'})} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and rule.endpoint != "api-docs.openapi_json"
        and getattr(app.view_functions[rule.endpoint], SCOPE_ATTRIBUTE, None) is None
    ]
    assert missing == []
    # GET routes never need more than "read".
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.methods & {"GET"} and "POST" not in rule.methods:
            scope = getattr(app.view_functions[rule.endpoint], SCOPE_ATTRIBUTE, None)
            if scope is not None:
                assert scope == operations.TokenScope.READ, rule.rule


def test_the_tokens_page_creates_shows_once_and_revokes(web, users, app):
    web_login(web, users["agent"].email)
    page = web.get("/account/tokens")
    form = main_form(page)
    form["name"] = "Zapier"
    form["scope"] = "read"
    form["expires_days"] = "30"
    shown = form.submit()
    secret = shown.html.find("input", id="token-secret")["value"]
    assert secret.startswith("cmp_")
    client = app.test_client()
    assert client.get("/api/v1/complaints", headers=bearer(secret)).status_code == 200

    listing = web.get("/account/tokens")
    assert "Zapier" in listing.text
    assert secret not in listing.text
    assert secret[:12] in listing.text
    revoke = next(
        form for form in listing.forms.values() if (form.action or "").endswith("/revoke")
    )
    revoke.submit().follow()
    assert client.get("/api/v1/complaints", headers=bearer(secret)).status_code == 401


def test_nobody_revokes_someone_elses_token(plain_app, users, client_for):
    new_token(plain_app, users["agent"])
    with plain_app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    response = client_for("reviewer").post(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 404
    with plain_app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None


# --- 11. password change and reset -------------------------------------------------------


def test_changing_the_password_signs_out_everywhere_else_and_revokes_tokens(web, users, app):
    other_device = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True
    secret = new_token(app, users["agent"])
    web_login(web, users["agent"].email)
    page = web.get("/account/password")
    assert "signs you out on every other device" in page.text
    assert "API tokens" in page.text
    form = main_form(page)
    form["current_password"] = "not my password"
    form["password"] = NEW_PASSWORD
    form["confirm"] = NEW_PASSWORD
    refused = form.submit(status=400)
    assert "not right" in refused.text

    # Another device, signed in before the change.
    app.config["WTF_CSRF_ENABLED"] = False
    login(other_device, users["agent"].email)
    app.config["WTF_CSRF_ENABLED"] = True
    assert other_device.get("/").status_code == 200

    form = main_form(web.get("/account/password"))
    form["current_password"] = PASSWORD
    form["password"] = NEW_PASSWORD
    form["confirm"] = NEW_PASSWORD
    done = form.submit().follow()
    assert "Your password is changed" in done.text
    assert web.get("/").status_code == 200  # this device stays signed in
    assert other_device.get("/").status_code == 302
    assert app.test_client().get("/api/v1/complaints", headers=bearer(secret)).status_code == 401
    assert "user.password_changed" in audit_actions(app)


def test_an_admin_issues_a_one_time_reset_link(web, users, app):
    victim = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    login(victim, users["agent"].email)
    app.config["WTF_CSRF_ENABLED"] = True
    secret = new_token(app, users["agent"])

    web_login(web, users["admin"].email)
    page = web.get(f"/admin/users/{users['agent'].id}")
    button = next(
        form for form in page.forms.values() if (form.action or "").endswith("/reset-link")
    )
    shown = button.submit()
    link = shown.html.find("input", id="reset-link")["value"]
    assert "/reset/" in link
    web.post("/logout", {"csrf_token": shown.html.find("input", {"name": "csrf_token"})["value"]})
    path = link.replace("http://composure.test", "")

    form = main_form(web.get(path))
    form["password"] = NEW_PASSWORD
    form["confirm"] = NEW_PASSWORD
    inbox = form.submit().follow()
    assert "Your new password is set" in inbox.text
    assert web.get(path, status=404)  # once only
    assert victim.get("/").status_code == 302
    assert app.test_client().get("/api/v1/complaints", headers=bearer(secret)).status_code == 401
    app.config["WTF_CSRF_ENABLED"] = False
    assert login(app.test_client(), users["agent"].email).status_code == 401
    assert login(app.test_client(), users["agent"].email, NEW_PASSWORD).status_code == 302
    actions = audit_actions(app)
    assert "user.reset_link_issued" in actions
    assert "user.password_reset" in actions


def test_a_reset_link_is_not_an_invitation_and_an_invitation_is_not_a_reset(ctx, users):
    admin = get_user(users["admin"])
    agent = get_user(users["agent"])
    secret = operations.issue_reset_link(db.session, target=agent, actor=admin, now=T0)
    assert operations.find_link(db.session, secret, purpose=LinkPurpose.INVITE, now=T0) is None
    assert operations.find_link(db.session, secret, purpose=LinkPurpose.RESET, now=T0) is not None
    assert (
        operations.find_link(
            db.session, secret, purpose=LinkPurpose.RESET, now=T0 + timedelta(days=2)
        )
        is None
    )
    with pytest.raises(operations.AccountError, match="Only admins"):
        operations.issue_reset_link(db.session, target=admin, actor=agent, now=T0)


def test_only_admins_see_the_reset_button(client_for, users):
    assert (
        client_for("agent").post(f"/admin/users/{users['agent'].id}/reset-link").status_code == 403
    )


def test_the_password_form_keeps_the_password_rules(ctx, users):
    user = get_user(users["agent"])
    with pytest.raises(operations.AccountError, match="at least"):
        operations.change_password(
            db.session,
            user=user,
            current_password=PASSWORD,
            new_password="short",
            keep_session=None,
            remote_addr="203.0.113.7",
            policy=POLICY,
            now=T0,
        )


def test_the_current_password_cannot_be_guessed_from_a_borrowed_session(ctx, users):
    user = get_user(users["agent"])
    for _ in range(5):
        with pytest.raises(operations.AccountError, match="not right"):
            operations.change_password(
                db.session,
                user=user,
                current_password="a guess",
                new_password=NEW_PASSWORD,
                keep_session=None,
                remote_addr="198.51.100.9",
                policy=POLICY,
                now=T0,
            )
    with pytest.raises(operations.AccountError, match="Too many failed attempts"):
        operations.change_password(
            db.session,
            user=user,
            current_password=PASSWORD,
            new_password=NEW_PASSWORD,
            keep_session=None,
            remote_addr="198.51.100.9",
            policy=POLICY,
            now=T0,
        )


@BOTH
def test_the_database_refuses_unknown_scopes_and_purposes(ctx, users):
    secret = new_token(ctx, users["agent"])
    assert secret
    for statement in (
        "UPDATE api_tokens SET scope = 'admin'",
        "UPDATE api_tokens SET expires_at = created_at",
        "INSERT INTO invitations (user_id, token_hash, created_by_id, created_at, expires_at,"
        " purpose) SELECT id, 'x', id, created_at, created_at, 'other' FROM users LIMIT 1",
        "INSERT INTO login_throttles (key, failures, window_started_at, lockouts)"
        " SELECT 'k', -1, created_at, 0 FROM users LIMIT 1",
    ):
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text(statement))
        db.session.rollback()
