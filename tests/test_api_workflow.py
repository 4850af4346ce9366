"""The reply workflow through the JSON API: the full walk (bench/api_walkthrough.py) with
every answer checked, and each guard's error code."""

from __future__ import annotations

import pytest

from bench.api_walkthrough import walk

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def api(plain_app, token_for):
    client = plain_app.test_client()

    def call(method: str, path: str, role: str = "agent", payload: dict | None = None):
        headers = {"Authorization": f"Bearer {token_for(role)}"}
        response = client.open(path, method=method, headers=headers, json=payload)
        return response.status_code, response.get_json()

    return call


def codes(body: dict) -> list[str]:
    return [refusal["code"] for refusal in body["publish_refusals"]]


@BOTH
def test_the_whole_flow_through_the_api(api, clock, plain_app):
    run = walk(api, lambda seconds: clock.advance(seconds=seconds))

    draft = run["compose: the four-part draft"]
    assert draft.status == 201
    assert draft.body["state"] == "draft"
    assert draft.body["requires_signoff"] is True  # the solicitor: legal must sign off
    assert {"kind": "flag", "value": "legal_threat", "group": "legal"} in draft.body[
        "signoff_reasons"
    ]
    assert codes(draft.body) == ["not_submitted", "needs_approval"]
    assert draft.body["cooling_off"]["seconds"] == 1200  # an angry customer: 10 minutes more
    assert draft.body["cooling_off"]["reasons"] == [
        "10 minutes for every reply",
        "10 minutes more because the customer is very angry",
    ]

    submitted = run["submit"].body
    assert submitted["state"] == "cooling_off"
    assert submitted["cooling_off_until"] > "2026-11-23T09:00:00"
    assert codes(submitted) == ["cooling_off", "needs_approval", "needs_signoff"]

    early = run["publish at once"]
    assert early.status == 409
    assert early.body["error"]["code"] == "cooling_off"
    assert run["the author approves"].body["error"]["code"] == "self_approval"
    assert run["a colleague approves"].body["state"] == "approved"
    assert [a["reviewer"] for a in run["a colleague approves"].body["approvals"]] == [
        "Riya Reviewer"
    ]

    edited = run["the author edits"].body
    assert edited["revision"] == 2
    assert edited["state"] == "cooling_off"
    assert edited["approvals"] == []
    assert edited["cooling_off_until"] > submitted["cooling_off_until"]  # restarted
    assert "5pm today" in edited["text"]
    voided = [r for r in edited["reviews"] if r["voided_at"]]
    assert [r["revision"] for r in voided] == [1]

    assert run["approve what was read before"].body["error"]["code"] == "stale_revision"
    assert run["approve the new revision"].body["approvals"][0]["revision"] == 2
    late = run["cooling-off over, publish"]
    assert late.status == 409
    assert late.body["error"]["code"] == "needs_signoff"
    assert run["legal signs off"].body["missing_signoff"] == []
    assert run["where it stands"].body["publish_refusals"] == []

    published = run["publish"]
    assert published.status == 200
    assert published.body["state"] == "published"
    assert published.body["created"] is True
    assert published.body["publication"]["adapter"] == "manual"
    # Published, not out: nobody has posted it yet (new fields; `state` unchanged).
    assert (published.body["state_words"], published.body["out"]) == ("To post by hand", False)
    again = run["publish again (double click)"]
    assert again.status == 200
    assert again.body["created"] is False
    assert again.body["publication"]["id"] == published.body["publication"]["id"]
    linked = run["the link of the posted reply"].body
    assert linked["publication"]["status"] == "delivered"
    assert (linked["state_words"], linked["out"]) == ("Posted", True)
    assert run["resolve"].body["status"] == "resolved"

    verify = plain_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0
    assert "intact" in verify.output


def complaint(api, text: str = "@NorthwindHome my parcel is a week late, where is it?") -> int:
    status, body = api("POST", "/api/v1/complaints", "agent", {"channel": "x", "text": text})
    assert status == 201
    return body["id"]


def test_each_refusal_names_its_guard(api):
    complaint_id = complaint(api)
    status, draft = api(
        "POST",
        f"/api/v1/complaints/{complaint_id}/drafts",
        "agent",
        {"text": "Sorry about the wait, Kim. We're on it: DM us your order number?"},
    )
    assert status == 201
    assert draft["parts"] == {"reply": draft["text"]}
    path = f"/api/v1/drafts/{draft['id']}"

    status, again = api("POST", f"/api/v1/complaints/{complaint_id}/drafts", "agent", {})
    assert (status, again["id"], again["created"]) == (200, draft["id"], False)

    status, body = api("POST", f"{path}/submit", "reviewer", {"revision": 1})
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = api("POST", f"{path}/approve", "reviewer", {"revision": 1})
    assert (status, body["error"]["code"]) == (409, "invalid_state")
    status, body = api("POST", f"{path}/frobnicate", "agent", {"revision": 1})
    assert status == 404
    assert "submit" in body["error"]["message"]
    status, body = api("POST", f"{path}/submit", "agent", {})
    assert status == 422
    assert "revision" in body["error"]["fields"]

    status, body = api("PATCH", path, "agent", {"revision": 1, "text": "x", "parts": {}})
    assert status == 422
    status, body = api("PATCH", path, "agent", {"revision": 1, "text": "Thanks, idiot."})
    assert (status, body["revision"], body["blocking"]) == (200, 2, True)
    status, body = api("POST", f"{path}/submit", "agent", {"revision": 2})
    assert (status, body["error"]["code"]) == (409, "blocking_findings")
    status, body = api("PATCH", path, "agent", {"revision": 1, "text": "Stale words."})
    assert (status, body["error"]["code"]) == (409, "stale_revision")
    status, body = api("PATCH", path, "reviewer", {"revision": 2, "text": "Not mine."})
    assert status == 403

    status, body = api(
        "PATCH", path, "agent", {"revision": 2, "text": "Thanks for telling us, Kim."}
    )
    assert status == 200
    api("POST", f"{path}/submit", "agent", {"revision": 3})
    status, body = api("POST", f"{path}/request-changes", "reviewer", {"revision": 3})
    assert (status, body["error"]["code"]) == (409, "comment_required")
    status, body = api(
        "POST",
        f"{path}/request-changes",
        "reviewer",
        {"revision": 3, "comment": "Give a next step.", "anchor_start": 0, "anchor_end": 6},
    )
    assert body["state"] == "changes_requested"
    review = body["reviews"][0]
    assert (review["decision"], review["anchor_start"], review["anchor_end"]) == (
        "changes_requested",
        0,
        6,
    )
    status, body = api("POST", f"{path}/sign-off", "signoff", {"revision": 3, "group": "pr"})
    assert (status, body["error"]["code"]) == (409, "invalid_state")
    status, body = api(
        "POST", f"/api/v1/complaints/{complaint_id}/resolve", "agent", {"note": "done"}
    )
    assert (status, body["error"]["code"]) == (409, "needs_reply")


def test_sign_off_is_for_signers_and_for_the_group_the_case_needs(api):
    complaint_id = complaint(api, "@NorthwindHome I was charged twice, my lawyer will sue.")
    _, draft = api("POST", f"/api/v1/complaints/{complaint_id}/drafts", "agent", {})
    path = f"/api/v1/drafts/{draft['id']}"
    api("POST", f"{path}/submit", "agent", {"revision": 1})
    status, body = api("POST", f"{path}/sign-off", "agent", {"revision": 1, "group": "legal"})
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = api("POST", f"{path}/sign-off", "signoff", {"revision": 1})
    assert (status, body["error"]["code"]) == (409, "signoff_not_needed")
    status, body = api("POST", f"{path}/sign-off", "signoff", {"revision": 1, "group": "legal"})
    assert status == 200


def test_the_openapi_document_lists_the_workflow(api):
    status, spec = api("GET", "/api/v1/openapi.json")
    assert status == 200
    for path in (
        "/api/v1/complaints/{complaint_id}/drafts",
        "/api/v1/drafts/{draft_id}",
        "/api/v1/drafts/{draft_id}/{action}",
        "/api/v1/complaints/{complaint_id}/resolve",
    ):
        assert path in spec["paths"], path
