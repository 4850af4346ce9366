"""Channel adapters (PRODUCT.md "Publishing"). No Flask.

- manual: Composure shows the final text to copy; the agent posts it and records the link.
- webhook: Composure POSTs JSON to a configured URL, signed with HMAC-SHA256 over
  "<timestamp>.<body>", with an `Idempotency-Key` header the receiver uses to post once
  however often a delivery is retried. Only to an address an operator chose on purpose
  (`WebhookTargets`), connected to directly (no HTTP proxy), never following a redirect.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

MANUAL = "manual"
WEBHOOK = "webhook"
SIGNATURE_HEADER = "X-Composure-Signature"
TIMESTAMP_HEADER = "X-Composure-Timestamp"
#: Answers that will not change by trying again: give up and tell a person.
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 413, 422})
#: Not followed (http.client follows none) and not retried: the configured URL is wrong.
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


class TargetRefused(ValueError):
    """The webhook address is not one an operator may choose; the message says which
    setting to change."""


#: Names that are the machine itself, whatever a resolver says.
LOCAL_NAMES = ("localhost", "localhost.localdomain")


@dataclass(frozen=True)
class WebhookTargets:
    """Which addresses the webhook may reach (README "Workers"): https only; http only to
    localhost/loopback and only with PUBLISH_WEBHOOK_ALLOW_HTTP_LOCALHOST; no other
    scheme; no private, loopback, link-local, multicast or reserved address unless its
    host name or network is in PUBLISH_WEBHOOK_ALLOWED_HOSTS. Checked at start-up
    (`check_url`, and `resolve` by the worker) and again before every delivery against the
    addresses the name resolves to then, which are the ones connected to."""

    allow_http_localhost: bool = False
    #: Host names (lower case) and networks ("10.20.0.0/16", "192.168.1.7").
    allowed_hosts: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, allow_http_localhost: bool, allowed: list[str]) -> WebhookTargets:
        for entry in allowed:
            if "/" in entry or _is_address(entry):
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError as error:
                    raise TargetRefused(
                        f"PUBLISH_WEBHOOK_ALLOWED_HOSTS: {entry!r} is not a network ({error})."
                    ) from error
        return cls(allow_http_localhost, tuple(entry.lower() for entry in allowed))

    def check_url(self, url: str) -> tuple[str, str, int]:
        """The URL's scheme, host and port, once its form is one that may be used (no
        name is resolved here); TargetRefused naming the setting otherwise."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("https", "http"):
            raise TargetRefused(
                f"PUBLISH_WEBHOOK_URL must start with https:// (not {scheme or 'no'}: scheme)."
            )
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as error:
            raise TargetRefused(f"PUBLISH_WEBHOOK_URL has a bad port: {error}.") from error
        host = (parts.hostname or "").lower()
        if not host:
            raise TargetRefused("PUBLISH_WEBHOOK_URL names no host.")
        if parts.username is not None or parts.password is not None:
            raise TargetRefused(
                "PUBLISH_WEBHOOK_URL must not carry a user name or password: the "
                "deliveries are signed with PUBLISH_WEBHOOK_SECRET."
            )
        local = host in LOCAL_NAMES or host.endswith(".localhost")
        if scheme == "http" and not (
            self.allow_http_localhost and (local or (_is_address(host) and _loopback(host)))
        ):
            raise TargetRefused(
                "PUBLISH_WEBHOOK_URL must start with https://; plain http:// is accepted "
                "only for localhost, with PUBLISH_WEBHOOK_ALLOW_HTTP_LOCALHOST=1."
            )
        if local:
            self.check_addresses(host, ["127.0.0.1"])
        elif _is_address(host):
            self.check_addresses(host, [host])
        return scheme, host, port

    def check_addresses(self, host: str, addresses: list[str]) -> None:
        """TargetRefused when any address `host` resolves to may not be reached."""
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped
            kind = _special(address)
            if kind is None or self._listed(host, address):
                continue
            if kind == "loopback" and self.allow_http_localhost:
                continue
            shown = host if host == text else f"{host} resolves to {text}, which"
            raise TargetRefused(
                f"The webhook address {shown} is {kind}: list it in "
                "PUBLISH_WEBHOOK_ALLOWED_HOSTS to allow it"
                + (" (or PUBLISH_WEBHOOK_ALLOW_HTTP_LOCALHOST=1)." if kind == "loopback" else ".")
            )

    def resolve(self, url: str) -> tuple[str, str, int, list[str]]:
        """`check_url`, then the host's addresses now, each checked: what to connect to.
        OSError when the name cannot be resolved (try again later)."""
        scheme, host, port = self.check_url(url)
        if _is_address(host):
            addresses = [host]
        else:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(info[4][0] for info in found))
        self.check_addresses(host, addresses)
        return scheme, host, port, addresses

    def _listed(self, host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        for entry in self.allowed_hosts:
            if entry == host:
                return True
            if "/" in entry or _is_address(entry):
                network = ipaddress.ip_network(entry, strict=False)
                if address.version == network.version and address in network:
                    return True
        return False


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _loopback(host: str) -> bool:
    return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback


def _special(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What kind of address this is when it is not one on the public internet."""
    for kind, test in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if test:
            return kind
    return None if address.is_global else "not a public address"


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the addresses that were checked, not to whatever the name resolves to
    a moment later (DNS can change between the check and the connection)."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def _socket(self) -> socket.socket:
        error: OSError = OSError(f"no address to connect to for {self.host}")
        for address in self.addresses:
            try:
                return socket.create_connection((address, self.port), self.timeout)
            except OSError as failed:
                error = failed
        raise error

    def connect(self) -> None:
        self.sock = self._socket()


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS; the certificate is checked against the host name."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.addresses = addresses

    _socket = _PinnedHTTPConnection._socket

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._socket(), server_hostname=self.host)


@dataclass(frozen=True)
class WebhookAdapter:
    url: str
    secret: str
    timeout_seconds: float = 10.0
    targets: WebhookTargets = field(default_factory=WebhookTargets)

    def deliver(self, payload: dict[str, Any], *, idempotency_key: str, now: datetime) -> Delivery:
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(now.timestamp()))
        try:
            scheme, host, port, addresses = self.targets.resolve(self.url)
        except TargetRefused as refused:
            return Delivery(ok=False, error=f"Not sent: {refused}")
        except OSError as error:
            return Delivery(ok=False, retry=True, error=f"Could not reach the webhook: {error}")
        kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = kind(host, port, addresses=addresses, timeout=self.timeout_seconds)
        parts = urlsplit(self.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "POST",
                target,
                body=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Idempotency-Key": idempotency_key,
                    TIMESTAMP_HEADER: timestamp,
                    SIGNATURE_HEADER: sign(self.secret, timestamp, body),
                    "User-Agent": "Composure-Publisher/1",
                },
            )
            response = connection.getresponse()
            answer = response.read(65_536)
        except (OSError, http.client.HTTPException) as error:
            return Delivery(ok=False, retry=True, error=f"Could not reach the webhook: {error}")
        finally:
            connection.close()
        if 200 <= response.status < 300:
            return Delivery(ok=True, external_url=_posted_url(answer))
        if response.status in REDIRECTS:
            # Never followed: a redirect is an answer, and the configured URL is wrong.
            where = response.getheader("Location") or "elsewhere"
            return Delivery(
                ok=False,
                error=f"HTTP {response.status}: the webhook redirects to {where}; "
                "set PUBLISH_WEBHOOK_URL to the address that takes the POST.",
            )
        retry = response.status not in PERMANENT_STATUSES
        return Delivery(
            ok=False, retry=retry, error=f"HTTP {response.status} {response.reason}".strip()
        )


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
