"""A pure ASGI middleware that checks every request body before any handler sees it.

- **Size**: ``Content-Length`` first, then the bytes actually received (chunked uploads
  declare no length): over ``max_bytes`` → 413.
- **Time**: the whole body must arrive within ``body_timeout`` seconds, or 408: a client that
  stalls mid-upload does not hold a connection (and a request thread's worth of memory)
  open for ever.
- **Text**: no NUL characters in the query or body (PostgreSQL cannot store them), and no
  lone UTF-16 surrogates (JSON's ``"\\udfff"`` escape decodes to one; it is not a character,
  cannot be written as UTF-8, and a stored one made every later read of the row fail). Both
  → 422 naming the field, for every text field of every route at once.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import anyio

from matcher.text import has_lone_surrogate

Scope = dict[str, Any]
# A \uD800-\uDFFF escape in raw JSON: only then is the body parsed here to look closer.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def lone_surrogate_at(value: Any, path: tuple[str, ...] = ()) -> str | None:
    """The dotted path of the first string (or key) in a JSON value that holds a lone
    surrogate; None when there is none. A key's surrogates are shown as U+FFFD."""
    if isinstance(value, str):
        return ".".join(path) or "body" if has_lone_surrogate(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            shown = key[:50].encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            where = (".".join((*path, shown)) if has_lone_surrogate(key)
                     else lone_surrogate_at(item, (*path, key)))
            if where:
                return where
    if isinstance(value, list):
        for i, item in enumerate(value):
            where = lone_surrogate_at(item, (*path, str(i)))
            if where:
                return where
    return None


def body_problem(body: bytes) -> tuple[str, str | None] | None:
    """(message, field) when the body holds text no field may hold; None when it is fine."""
    if b"\\u0000" in body.lower() or b"\x00" in body:
        return "text may not contain NUL characters (U+0000)", None
    if _SURROGATE_ESCAPE.search(body):
        try:
            where = lone_surrogate_at(json.loads(body))
        except ValueError:  # not JSON: the route's own parsing says so
            return None
        if where:
            return (f"field {where!r} holds a lone UTF-16 surrogate (\\ud800-\\udfff), which "
                    "is not a character; send valid Unicode text (a character outside the "
                    "Basic Multilingual Plane is a pair of surrogates)"), where
    return None


class BodySizeLimit:
    def __init__(self, app: Any, max_bytes: int, body_timeout: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_timeout = body_timeout

    async def _refuse(self, send: Any, status: int, code: str, message: str,
                      field: str | None = None) -> None:
        body = json.dumps({"error": code, "message": message, "field": field}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store"),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def _too_large(self, send: Any) -> None:
        await self._refuse(send, 413, "payload_too_large",
                           f"the request body is larger than {self.max_bytes:,} bytes; send "
                           "less at once (e.g. job ads in batches)")

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", ""):
            await self._refuse(send, 422, "invalid_request",
                               "text may not contain NUL characters (U+0000)")
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._too_large(send)
                    return
        # Read the whole body (it is at most max_bytes) and replay it to the app.
        chunks: list[bytes] = []
        size = 0
        more = True
        deadline = anyio.current_time() + self.body_timeout
        while more:
            with anyio.move_on_after(max(0.0, deadline - anyio.current_time())) as timer:
                message = await receive()
            if timer.cancelled_caught:
                await self._refuse(send, 408, "request_timeout",
                                   f"the request body did not arrive within "
                                   f"{math.ceil(self.body_timeout)} s; send it at once")
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = body_problem(body)
        if problem is not None:
            await self._refuse(send, 422, "invalid_request", *problem)
            return
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            message: dict[str, Any] = await receive()
            return message

        await self.app(scope, replay, send)
