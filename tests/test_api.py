"""The JSON API: tokens, the error format, validation, and the complaint endpoints."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import ApiToken
from app.extensions import db
from tests.conftest import T0

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def api(plain_app, token_for):
    client = plain_app.test_client()

    def call(method: str, path: str, role: str = "agent", **kwargs):
        headers = {"Authorization": f"Bearer {token_for(role)}"}
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


@BOTH
def test_create_then_read_then_list(api):
    created = api(
        "POST",
        "/api/v1/complaints",
        json={
            "channel": "x",
            "text": "My order NW-9 never came 😡",
            "author_handle": "@kim",
            "received_at": "2026-11-23T08:30:00+00:00",
            "external_id": "1860001",
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["channel"] == "x"
    assert body["status"] == "new"
    assert body["response_due_at"] == "2026-11-23T09:30:00+00:00"
    assert body["clock"] == {
        "urgency": "on_track",
        "remaining_seconds": 1800,
        "target_seconds": 3600,
    }
    again = api(
        "POST",
        "/api/v1/complaints",
        json={"channel": "x", "text": "My order NW-9 never came 😡", "external_id": "1860001"},
    )
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]

    read = api("GET", f"/api/v1/complaints/{body['id']}", role="reviewer")
    assert read.status_code == 200
    assert read.get_json()["text"] == "My order NW-9 never came 😡"
    listing = api("GET", "/api/v1/complaints?status=open&channel=x&per_page=10", role="signoff")
    assert listing.status_code == 200
    page = listing.get_json()
    assert page["total"] == 1
    assert page["pages"] == 1
    assert page["items"][0]["id"] == body["id"]


def test_validation_errors_name_the_fields(api):
    response = api("POST", "/api/v1/complaints", json={"channel": "x", "unexpected": 1})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["text"] == ["Missing data for required field."]
    assert error["fields"]["unexpected"] == ["Unknown field."]

    response = api("POST", "/api/v1/complaints", json={"channel": "fax", "text": " \u200b "})
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"channel", "text"}

    response = api(
        "POST",
        "/api/v1/complaints",
        json={"channel": "x", "text": "t", "received_at": "2026-11-23T08:30:00"},
    )
    assert response.status_code == 422  # a time without a zone is ambiguous


def test_malformed_json_and_unknown_ids_use_the_error_format(api):
    response = api("POST", "/api/v1/complaints", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    response = api("GET", "/api/v1/complaints/999")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"code": "not_found", "message": "No complaint #999.", "fields": {}}
    }
    response = api("GET", "/api/v1/nothing-here")
    assert response.status_code == 404
    assert "error" in response.get_json()
    response = api("GET", "/api/v1/complaints?page=0&status=lost")
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"page", "status"}


def test_roles_apply_to_the_api(api):
    response = api(
        "POST", "/api/v1/complaints", role="reviewer", json={"channel": "x", "text": "hi"}
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert api("GET", "/api/v1/complaints", role="norole").status_code == 403


def test_tokens_are_stored_hashed_and_revoked_with_the_account(plain_app, users, token_for):
    secret = token_for("agent")
    with plain_app.app_context():
        token = db.session.scalar(sa.select(ApiToken))
        assert secret not in (token.token_hash, token.prefix)
        assert len(token.token_hash) == 64
    client = plain_app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/complaints", headers=auth).status_code == 200
    with plain_app.app_context():
        assert db.session.scalar(sa.select(ApiToken.last_used_at)) == T0
    admin = plain_app.test_client()
    admin.post("/login", data={"email": users["admin"].email, "password": "correct horse battery"})
    admin.post(f"/admin/users/{users['agent'].id}/deactivate")
    assert client.get("/api/v1/complaints", headers=auth).status_code == 401


def test_the_openapi_document_describes_the_endpoints_and_the_auth(plain_app):
    spec = plain_app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "Composure API"
    assert {"/api/v1/complaints", "/api/v1/complaints/{complaint_id}"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    post = spec["paths"]["/api/v1/complaints"]["post"]
    assert {"201", "200", "422"} <= set(post["responses"])
    assert "error" in spec["components"]["schemas"]["Error"]["properties"]


def test_a_huge_body_is_refused_cleanly(api, plain_app):
    plain_app.config["MAX_CONTENT_LENGTH"] = 1000
    response = api("POST", "/api/v1/complaints", json={"channel": "x", "text": "x" * 2000})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
