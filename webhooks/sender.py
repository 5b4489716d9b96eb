"""The HTTP request of one attempt (standard library only): POST the signed body, wait at most the timeout,
read at most a little of the answer, follow a redirect only to the same host.

Guards: only http and https (checked again here, whatever the database says); a redirect to another host is
not followed (the signed event would go where the administrator did not send it); at most MAX_REDIRECTS hops;
at most MAX_RESPONSE_BYTES of the answer are read (a receiver answering without end holds no worker)."""

import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPResponse
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

from webhooks.models import SCHEMES

MAX_REDIRECTS = 3
MAX_RESPONSE_BYTES = 4096
USER_AGENT = "memoflow-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None
    error: str  # empty when delivered


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would turn a redirected POST into a GET without its body; redirects are handled in `post`."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects())


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return (parts.hostname or "").lower(), parts.port or default


def _same_host(current: str, target: str) -> bool:
    """The same host name; the port may change only with an http → https upgrade (80 → 443)."""
    (host, port), (new_host, new_port) = _origin(current), _origin(target)
    if host != new_host:
        return False
    upgrade = urlsplit(current).scheme == "http" and urlsplit(target).scheme == "https"
    return port == new_port or upgrade


def _read_some(stream: IO[bytes] | HTTPResponse) -> str:
    return stream.read(MAX_RESPONSE_BYTES).decode("utf-8", "replace")


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Outcome:
    """One attempt: 2xx is delivered; anything else (an answer, a refused redirect, a network error) is not."""
    for _hop in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme.lower() not in SCHEMES:
            return Outcome(False, None, f"refused: only http and https addresses ({url[:200]})")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
            url,
            data=body,
            method="POST",
            headers={**headers, "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        )
        try:
            with _opener.open(request, timeout=timeout) as response:
                _read_some(response)
                status = response.status
                if 200 <= status < 300:
                    return Outcome(True, status, "")
                return Outcome(False, status, f"HTTP {status}")
        except urllib.error.HTTPError as answer:
            status, answer_headers = answer.code, answer.headers
            text = _read_some(answer) if answer.fp is not None else ""
            answer.close()
            if status in (301, 302, 303, 307, 308):
                target = urljoin(url, _location(answer_headers))
                if not _same_host(url, target):
                    return Outcome(False, status, f"redirect to another host not followed: {target[:200]}")
                url = target
                continue
            return Outcome(False, status, f"HTTP {status}: {text.strip()[:300]}".strip().rstrip(":"))
        except (OSError, ValueError) as error:  # refused, reset, timed out, DNS, a malformed address
            reason = getattr(error, "reason", error)
            return Outcome(False, None, f"{type(error).__name__}: {reason}"[:500])
    return Outcome(False, None, f"more than {MAX_REDIRECTS} redirects")


def _location(headers: Message | None) -> str:
    return (headers.get("Location") if headers is not None else None) or ""
