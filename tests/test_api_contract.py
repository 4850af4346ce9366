"""The API keeps its OpenAPI document: schemathesis (bench/api_fuzz.py, with few examples
and a fixed seed) over every operation finds no server error and no violation; and the
defects it found once, each checked by hand."""

from __future__ import annotations

import pytest

from bench.api_fuzz import failures, fuzz, prepare, table

#: Few examples, a fixed seed: the same requests on every run. The operations that analyse
#: text run only their examples here: generated texts run to 50,000 characters, seconds
#: each through the analysis; bench/api_fuzz.py runs every phase on them.
BOUNDED = {"max_examples": 2, "seed": 17, "analysing": ("examples",)}


@pytest.fixture
def tokens(plain_app) -> dict[str, str]:
    return prepare(plain_app)


def test_every_operation_keeps_the_contract(plain_app, tokens):
    act = fuzz(plain_app, tokens["act"], **BOUNDED)
    # A read-only token: refused (403, documented) wherever it may not go.
    read = fuzz(plain_app, tokens["read"], **BOUNDED, phases=("examples",))
    assert len(act) == 15, sorted(act)  # every operation was tried
    assert all(tally.requests for tally in act.values()), table(act)
    for tallies in (act, read):
        assert not any(tally.server_errors for tally in tallies.values()), table(tallies)
        assert not any(tally.violations for tally in tallies.values()), failures(tallies)


@pytest.fixture
def call(plain_app, token_for):
    client = plain_app.test_client()
    token = token_for("agent")

    def call(method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)

    return call


def test_a_method_the_url_does_not_take_is_405_with_allow(call):
    response = call("TRACE", "/api/v1/complaints")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    page = call("TRACE", "/login")  # pages too
    assert (page.status_code, page.headers["Allow"]) == (405, "GET, HEAD, OPTIONS, POST")


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({}, 400, "missing_body"),
        ({"data": "revision=1", "content_type": "application/x-www-form-urlencoded"}, 415, None),
        ({"data": '{"revision": 1}', "content_type": "text/plain"}, 415, None),
        ({"json": {"revision": 1, "approved": 1}}, 422, "validation_error"),
    ],
)
def test_a_body_must_be_there_and_be_json(call, kwargs, status, code):
    response = call("POST", "/api/v1/drafts/1/approve", **kwargs)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == (code or "unsupported_media_type")
    assert "JSON" in error["message"] or error["fields"]


def test_a_body_whose_fields_all_have_defaults_may_be_left_out(plain_app, call):
    operation = plain_app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert (
        operation["/api/v1/complaints/{complaint_id}/assignment"]["post"]["requestBody"]["required"]
        is False
    )
    assert operation["/api/v1/drafts/{draft_id}/{action}"]["post"]["requestBody"]["required"]
    assert call("POST", "/api/v1/complaints/1/assignment").status_code == 404  # not 400


def test_parts_and_text_together_are_refused(call):
    response = call(
        "PATCH", "/api/v1/drafts/1", json={"revision": 1, "parts": {}, "text": "Thanks"}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["parts"] == ["Send either `parts` or `text`."]


@pytest.mark.parametrize("path", ["/api/v1/complaints/2147483648", "/api/v1/drafts/99999999999"])
def test_an_id_beyond_the_database_is_404(call, path):
    assert call("GET", path).status_code == 404
