"""One safe-fetch policy for every outgoing HTTP request: feeds (watch), webhooks (alerts), the LLM endpoint.

A URL that Vigie fetches may come from a feed list, a saved alert or a redirect chosen by a remote server, so each
request is held to the same rules:

- ``http`` and ``https`` only;
- every address a host name resolves to is checked before connecting, and the connection goes to that checked
  address (no second DNS answer can swap it): loopback, private, link-local, shared, multicast and reserved
  addresses are refused unless the user allows them (:attr:`FetchPolicy.allow_private`, a host in
  :attr:`FetchPolicy.allow_hosts`, or ``VIGIE_ALLOW_PRIVATE_URLS``);
- redirects are followed by hand, at most ``max_redirects``, and each hop is checked like the first; a request
  that carries credentials (an ``Authorization`` or ``Cookie`` header, or ``user:password@`` in the URL) is never
  redirected to another host; a POST is re-sent only on 307/308 (a 301/302/303 would drop its body);
- one deadline covers the whole fetch (connect, headers, body), however slowly the peer drips bytes;
- the body is capped at ``max_bytes``.

Every refusal or failure is a :class:`FetchError` whose message is one line.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import unquote, urljoin, urlsplit

from vigie.errors import VigieError

__all__ = ["ALLOW_ENV", "FetchError", "FetchPolicy", "FetchResult", "fetch"]

ALLOW_ENV = "VIGIE_ALLOW_PRIVATE_URLS"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_CHUNK = 64 * 1024


class FetchError(VigieError):
    """A URL that the policy refuses, or a fetch that failed (timeout, too large, connection error)."""


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """What an outgoing request may do.

    Attributes:
        allow_private: allow loopback, private and link-local addresses everywhere (a local feed server).
        allow_hosts: host names or addresses allowed even when they resolve to such addresses (e.g. the LLM
            endpoint the user configured); other hosts, redirect targets included, are still checked.
        max_redirects: redirects followed before giving up.
        deadline: seconds for the whole fetch, redirects included.
        max_bytes: largest response body read.
    """

    allow_private: bool = False
    allow_hosts: frozenset[str] = field(default_factory=frozenset)
    max_redirects: int = 5
    deadline: float = 30.0
    max_bytes: int = 10 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.deadline <= 0:
            raise ValueError(f"FetchPolicy.deadline must be > 0 seconds, got {self.deadline}")
        if self.max_bytes <= 0:
            raise ValueError(f"FetchPolicy.max_bytes must be > 0 bytes, got {self.max_bytes}")
        if self.max_redirects < 0:
            raise ValueError(f"FetchPolicy.max_redirects must be >= 0, got {self.max_redirects}")

    @classmethod
    def from_env(cls, *, allow_private: bool = False, allow_hosts: frozenset[str] = frozenset(),
                 deadline: float = 30.0, max_bytes: int = 10 * 1024 * 1024) -> FetchPolicy:
        """A policy widened by ``$VIGIE_ALLOW_PRIVATE_URLS``: ``1``/``true``/``all`` allows every private address,
        anything else is a comma-separated list of allowed hosts."""
        raw = os.environ.get(ALLOW_ENV, "").strip()
        hosts = set(allow_hosts)
        if raw.lower() in ("1", "true", "yes", "all", "*"):
            allow_private = True
        elif raw:
            hosts.update(h.strip().lower().strip("[]") for h in raw.split(",") if h.strip())
        return cls(allow_private=allow_private, allow_hosts=frozenset(hosts), deadline=deadline, max_bytes=max_bytes)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A final (non-redirect) answer: any status, its headers, the body (at most ``max_bytes``) and the last URL."""

    status: int
    reason: str
    headers: Message
    body: bytes
    url: str


def _host_allowed(host: str, policy: FetchPolicy) -> bool:
    return policy.allow_private or host.lower() in policy.allow_hosts


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int, policy: FetchPolicy) -> list[str]:
    """The addresses to connect to, in resolver order, after checking them all."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise FetchError(f"cannot resolve {host} ({e})") from None
    addrs = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addrs:
        raise FetchError(f"cannot resolve {host}")
    if not _host_allowed(host, policy):
        for a in addrs:
            if not _public(ipaddress.ip_address(a.split("%", 1)[0])):
                raise FetchError(
                    f"refused: {host} is a loopback, private or link-local address ({a}); "
                    f"allow it with {ALLOW_ENV}={host} or the command's --allow-private-urls"
                )
    return addrs


def _connect(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first checked address that answers (as ``socket.create_connection`` does by name)."""
    last: OSError | None = None
    for a in addresses:
        try:
            return socket.create_connection((a, port), timeout)
        except OSError as e:
            last = e
    raise last or OSError("no address to connect to")


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand (the Host header keeps the name)."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; the certificate is verified against the host name."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self) -> None:
        sock = _connect(self._addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _kill(conn: http.client.HTTPConnection) -> None:
    """Called by the deadline timer: shut the socket so a blocked read returns at once."""
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def fetch(
    url: str,
    *,
    policy: FetchPolicy | None = None,
    method: str = "GET",
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    truncate: bool = False,
) -> FetchResult:
    """Fetch ``url`` under ``policy``, following redirects that the policy allows.

    Returns the final answer whatever its status (the caller decides what a 304 or a 500 means). A body over
    ``policy.max_bytes`` is an error, or with ``truncate`` is cut there (an acknowledgement nobody reads).

    Raises:
        FetchError: a refused URL or redirect, a deadline passed, a body over the cap, a network error.

    Example:
        >>> fetch("http://127.0.0.1:1/feed")  # doctest: +SKIP
        Traceback (most recent call last):
        vigie.net.FetchError: refused: 127.0.0.1 is a loopback, private or link-local address (127.0.0.1); ...
    """
    pol = policy or FetchPolicy.from_env()
    end = time.monotonic() + pol.deadline
    hdrs = dict(headers or {})
    current = url
    for _hop in range(pol.max_redirects + 1):
        parts = urlsplit(current)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"refused: {current[:200]!r} is not an http:// or https:// URL")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError(f"refused: {current[:200]!r} has no host")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise FetchError(f"refused: {current[:200]!r} has a bad port") from None
        send = dict(hdrs)
        if parts.username is not None:
            creds = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            send["Authorization"] = "Basic " + base64.b64encode(creds).decode()
        origin = (host, port)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        status, reason, resp_headers, body = _one(scheme, host, port, path, method, data, send, pol, end, truncate)
        if status not in _REDIRECTS:
            return FetchResult(status, reason, resp_headers, body, current)
        location = resp_headers.get("Location")
        if not location:
            return FetchResult(status, reason, resp_headers, body, current)
        target = urljoin(current, location.strip())
        tparts = urlsplit(target)
        try:
            tport = tparts.port or (443 if tparts.scheme.lower() == "https" else 80)
        except ValueError:
            raise FetchError(f"refused: redirect to {target[:200]!r} has a bad port") from None
        if ((tparts.hostname or "").lower(), tport) != origin and (
            any(k.lower() in _CREDENTIAL_HEADERS for k in send) or tparts.username is not None
        ):
            raise FetchError(f"refused: redirect from {host} to another host ({tparts.hostname}) would carry credentials")
        if method != "GET" and status not in (307, 308):
            raise FetchError(f"refused: HTTP {status} redirect of a {method} to {target[:200]} (the body would be lost)")
        current = target
    raise FetchError(f"too many redirects (over {pol.max_redirects}) from {url[:200]}")


def _one(
    scheme: str, host: str, port: int, path: str, method: str, data: bytes | None, headers: dict[str, str],
    pol: FetchPolicy, end: float, truncate: bool,
) -> tuple[int, str, Message, bytes]:
    """One request, no redirect, bounded by the deadline ``end`` and the size cap."""
    left = end - time.monotonic()
    if left <= 0:
        raise FetchError(f"deadline of {pol.deadline:g} s passed")
    addresses = _resolve(host, port, pol)
    cls = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    conn = cls(host, port, addresses, timeout=left)
    timer = threading.Timer(left, _kill, args=(conn,))
    timer.daemon = True
    try:
        timer.start()
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > end:
                raise TimeoutError
            chunk = resp.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > pol.max_bytes and truncate:
                chunks.append(chunk[: len(chunk) - (size - pol.max_bytes)])
                break
            if size > pol.max_bytes:
                raise FetchError(f"answer too large (over {_fmt_size(pol.max_bytes)} limit) from {host}")
            chunks.append(chunk)
        if time.monotonic() > end:
            raise TimeoutError
        return resp.status, resp.reason, resp.headers, b"".join(chunks)
    except FetchError:
        raise
    except TimeoutError:
        raise FetchError(f"deadline of {pol.deadline:g} s passed fetching {host}") from None
    except (OSError, http.client.HTTPException, ValueError) as e:
        if time.monotonic() >= end:
            raise FetchError(f"deadline of {pol.deadline:g} s passed fetching {host}") from None
        detail = str(e) or type(e).__name__
        raise FetchError(f"cannot fetch ({type(e).__name__}: {detail})"[:300]) from None
    finally:
        timer.cancel()
        conn.close()


def _fmt_size(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 1 else f"{n // 1024} KB"
