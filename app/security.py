"""Security headers on every response: strict CSP without inline script, no framing, nosniff."""

from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=63072000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in existing]
                message["headers"] = list(message.get("headers", [])) + extra
                path = scope.get("path", "")
                if not path.startswith("/static/"):
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def token_hash(token: str) -> str:
    """What is stored of a bearer secret (API token, invitation link): its SHA-256, never itself."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- where a request may come from: trusted Host names, same-origin state changes ------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_HOST = re.compile(r"^(?:\[(?P<ip6>[0-9a-fA-F:.]+)\]|(?P<name>[^:\[\]]*))(?::\d{1,5})?$")


def host_name(header: str) -> str | None:
    """The name in a Host header without its port (`[::1]:8000` → `::1`), or None if malformed."""
    match = _HOST.match(header.strip())
    if match is None:
        return None
    return (match.group("ip6") or match.group("name") or "").lower() or None


def host_allowed(name: str, patterns: tuple[str, ...]) -> bool:
    """Exact names, `*.example.com` for sub-domains, `*` for any (Starlette's rules)."""
    for pattern in patterns:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class RequestSourceMiddleware:
    """Refuse a request whose Host header is not one of `ASSAY_ALLOWED_HOSTS` (pages build
    absolute links from it), and a state-changing request a browser says came from another
    site (`Origin`, else `Sec-Fetch-Site`): defence in depth beside the CSRF token.

    The settings are read from the app's state per request, so one app serves whatever
    settings it is given (the tests swap them)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
        headers = Headers(scope=scope)
        host = host_name(headers.get("host", ""))
        if host is None or not host_allowed(host, settings.trusted_hosts):
            response = PlainTextResponse("Invalid host header", status_code=400)
            await response(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and not self._same_site(scope, headers, settings):
            await self._refuse(scope, headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _same_site(scope: Scope, headers: Headers, settings) -> bool:
        origin = headers.get("origin")
        if origin is None:  # older browsers, API clients and curl send none
            return headers.get("sec-fetch-site") != "cross-site"
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
        return origin.lower() in (own, _origin_of(settings.base_url))

    @staticmethod
    def _refuse(scope: Scope, headers: Headers) -> Response:
        detail = (
            "The request came from another site; Assay only accepts changes made on its own pages."
        )
        if scope.get("path", "").startswith("/api/") or "json" in headers.get("accept", ""):
            body = {"type": "about:blank", "title": "Forbidden", "status": 403, "detail": detail}
            return JSONResponse(body, status_code=403, media_type="application/problem+json")
        return PlainTextResponse(detail, status_code=403)


# --- secrets kept out of the access log -------------------------------------------------------------

# A path segment or query value that looks like a generated secret (`secrets.token_urlsafe`:
# URL-safe base64, mixed case, 22+ characters), and query parameters that carry one by name.
_SECRET_SEGMENT = re.compile(
    r"(?<![A-Za-z0-9_-])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z0-9])[A-Za-z0-9_-]{22,}(?![A-Za-z0-9_-])"
)
_SECRET_PARAMETERS = re.compile(
    r"([?&](?:token|code|state|secret|password|key|signature|reset)=)[^&#\s]*", re.IGNORECASE
)
REDACTED = "[redacted]"


def redact_url(path: str) -> str:
    """`/invitations/Zk3…?next=/x` → `/invitations/[redacted]?next=/x`: what may be logged."""
    path = _SECRET_PARAMETERS.sub(lambda m: m.group(1) + REDACTED, path)
    return _SECRET_SEGMENT.sub(REDACTED, path)


class AccessLogRedaction(logging.Filter):
    """Rewrite uvicorn's access-log line (`client - "METHOD path HTTP/x" status`): invitation
    and reset links carry their secret in the path, and a log is read by more people."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(arg) if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True


def redact_access_log(logger_name: str = "uvicorn.access") -> None:
    """Install the redaction once on the access logger (logging's configuration keeps it)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, AccessLogRedaction) for f in logger.filters):
        logger.addFilter(AccessLogRedaction())
