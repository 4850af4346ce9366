"""The JSON API: tokens, the error format, validation, and the complaint endpoints."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import ApiToken
from app.extensions import db
from tests.fixtures.app import T0

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


def test_analyze_returns_the_analysis_with_spans_into_the_cleaned_text(api):
    response = api(
        "POST",
        "/api/v1/analyze",
        role="reviewer",
        json={
            "text": "  @NorthwindHome my solicitor will hear about order #NW-1234\u0000 ",
            "channel": "x",
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["text"] == "@NorthwindHome my solicitor will hear about order #NW-1234"
    assert "legal_threat" in body["flags"]
    [evidence] = body["evidence"]["legal_threat"]
    assert body["text"][evidence["start"] : evidence["end"]] == "solicitor"
    assert {"kind": "order_ref", "text": "NW-1234"}.items() <= body["entities"][-1].items()
    assert body["heat_label"] in ("low", "medium", "high")
    assert body["complainer_type"] in ("aggressive", "passive", "constructive")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 50_001}, "text"),
        ({"text": "hello there", "channel": "carrier-pigeon"}, "channel"),
        ({}, "text"),
    ],
)
def test_analyze_refuses_bad_input_in_the_error_format(api, payload, field):
    response = api("POST", "/api/v1/analyze", json=payload)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"]["code"] == "validation_error"
    assert field in str(body["error"]["fields"])


def test_compose_for_a_stored_complaint_and_for_text(api):
    created = api(
        "POST",
        "/api/v1/complaints",
        json={"channel": "x", "text": "@NorthwindHome my parcel is a week late, any news?"},
    ).get_json()
    stored = api("POST", "/api/v1/drafts/compose", json={"complaint_id": created["id"]})
    assert stored.status_code == 200, stored.get_json()
    body = stored.get_json()
    assert body["mode"] == "reply"
    assert body["part_order"] == ["validate", "responsibility", "direction", "close_loop"]
    assert body["text"] == " ".join(body["parts"][part]["text"] for part in body["part_order"])
    assert body["fits"]
    assert body["length"] <= 280
    assert all(body["alternatives"][part] for part in body["parts"])
    assert body["analysis"]["category"] == "delivery"

    typed = api(
        "POST",
        "/api/v1/drafts/compose",
        json={"text": "I hope your offices burn down with all of you inside, scum", "channel": "x"},
    ).get_json()
    assert typed["mode"] == "attack"
    assert typed["guidance"]["steps"]
    assert typed["parts"] == {}


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 422),
        ({"text": "where is my order"}, 422),
        ({"complaint_id": 999999}, 404),
        ({"complaint_id": 1, "text": "both"}, 422),
    ],
)
def test_compose_explains_what_it_needs(api, payload, status):
    response = api("POST", "/api/v1/drafts/compose", json=payload)
    assert response.status_code == status
    assert "error" in response.get_json()


def test_compose_is_for_people_who_draft_replies(api):
    response = api(
        "POST", "/api/v1/drafts/compose", role="reviewer", json={"text": "late", "channel": "x"}
    )
    assert response.status_code == 403


def test_the_complaint_list_filters_by_flag(api):
    api("POST", "/api/v1/complaints", json={"channel": "x", "text": "Refund my double charge now"})
    api("POST", "/api/v1/complaints", json={"channel": "x", "text": "Lovely service, thanks"})
    listing = api("GET", "/api/v1/complaints?flag=billing").get_json()
    assert [item["text"] for item in listing["items"]] == ["Refund my double charge now"]
    assert api("GET", "/api/v1/complaints?flag=nonsense").status_code == 422
