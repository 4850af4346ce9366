"""Channel adapters (PRODUCT.md "Publishing"). No Flask.

- manual: Composure shows the final text to copy; the agent posts it and records the link.
- webhook: Composure POSTs JSON to a configured URL, signed with HMAC-SHA256 over
  "<timestamp>.<body>", with an `Idempotency-Key` header the receiver uses to post once
  however often a delivery is retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MANUAL = "manual"
WEBHOOK = "webhook"
SIGNATURE_HEADER = "X-Composure-Signature"
TIMESTAMP_HEADER = "X-Composure-Timestamp"
#: Answers that will not change by trying again: give up and tell a person.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 413, 422})
#: Not followed (see _RefuseRedirects) and not retried: the configured URL is wrong.
REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Delivery:
    """What an attempt came to. `retry` is False when trying again cannot help."""

    ok: bool
    retry: bool = False
    external_url: str | None = None
    error: str = ""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value: "sha256=<hex>" of HMAC-SHA256(secret, ts + "." + body)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """For receivers (and our tests): does the signature match?"""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a redirect with a GET of the new address, without the body, and
    take that page's 200 for a delivery: a redirect is an answer instead (an HTTPError)."""

    def redirect_request(self, *args, **kwargs) -> None:
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


@dataclass(frozen=True)
class WebhookAdapter:
    url: str
    secret: str
    timeout_seconds: float = 10.0

    def deliver(self, payload: dict[str, Any], *, idempotency_key: str, now: datetime) -> Delivery:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(now.timestamp()))
        request = urllib.request.Request(  # noqa: S310 (an admin-configured http(s) URL)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": idempotency_key,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self.secret, timestamp, body),
                "User-Agent": "Composure-Publisher/1",
            },
        )
        try:
            with _opener.open(request, timeout=self.timeout_seconds) as response:
                answer = response.read(65_536)
        except urllib.error.HTTPError as error:
            if error.code in REDIRECTS:
                where = error.headers.get("Location") or "elsewhere"
                return Delivery(
                    ok=False,
                    error=f"HTTP {error.code}: the webhook redirects to {where}; "
                    "set PUBLISH_WEBHOOK_URL to the address that takes the POST.",
                )
            retry = error.code not in PERMANENT_STATUSES
            return Delivery(ok=False, retry=retry, error=f"HTTP {error.code} {error.reason}")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            return Delivery(ok=False, retry=True, error=f"Could not reach the webhook: {reason}")
        return Delivery(ok=True, external_url=_posted_url(answer))


def _posted_url(answer: bytes) -> str | None:
    """The receiver may answer {"url": "https://…"}: the link of the posted reply."""
    try:
        data = json.loads(answer or b"null")
    except ValueError:
        return None
    url = data.get("url") if isinstance(data, dict) else None
    if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 2000:
        return url
    return None
