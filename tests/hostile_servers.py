"""Servers that misbehave, for the hostile-input corpus: an index whose pages redirect in a
loop, lie about their encoding or hold no valid page (pytest-httpserver), and raw sockets that
cut an answer short or speak no HTTP at all."""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

from werkzeug import Response

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pytest_httpserver import HTTPServer
    from werkzeug import Request


def loop(request: Request) -> Response:
    return Response("", 302, headers={"Location": request.path})


def page(body: bytes, content_type: str, **headers: str) -> Response:
    return Response(body, 200, content_type=content_type, headers=headers)


JSON_TYPE = "application/vnd.pypi.simple.v1+json"
PAGES: dict[str, Callable[[], Response]] = {
    "page-bad-encoding": lambda: page(
        b"not gzip at all", "text/html", **{"Content-Encoding": "gzip"}
    ),
    "deep-json": lambda: page(b"[" * 100_000 + b"]" * 100_000, JSON_TYPE),
    "garbage-json": lambda: page(b'{"files": [', JSON_TYPE),
    "mistyped-json": lambda: page(
        json.dumps({"files": [{"filename": 7, "url": ["x"], "hashes": {}}]}).encode(), JSON_TYPE
    ),
    "bad-href": lambda: page(b'<a href="http://[::1/x.whl">x.whl</a>', "text/html"),
}


def serve_index(httpserver: HTTPServer, project: str, kind: str, posts: list[str]) -> None:
    """An index that misbehaves as `kind` says; every request to its upload URL lands in
    `posts`."""

    def post(request: Request) -> Response:
        posts.append(f"{request.method} {request.path}")
        if kind == "upload-redirect-loop":
            return loop(request)
        if kind == "upload-bad-encoding":
            return Response(b"not gzip at all", 200, headers={"Content-Encoding": "gzip"})
        return Response("403 Forbidden", 403)

    path = f"/simple/{project}/"
    if kind == "page-redirect-loop":
        httpserver.expect_request(path).respond_with_handler(loop)
    elif kind in PAGES:
        httpserver.expect_request(path).respond_with_response(PAGES[kind]())
    else:
        httpserver.expect_request(path).respond_with_data("", status=404)
    # every method: a POST redirected with 302 comes back as a GET
    httpserver.expect_request("/legacy/").respond_with_handler(post)


@contextmanager
def raw_server(answer: bytes) -> Iterator[str]:
    """A server that answers every connection with `answer`, whatever was asked, and hangs
    up: a response cut short, or one that is not HTTP at all."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # accept() wakes to see `stop`
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                connection.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


RAW = {
    "cut": b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/html\r\n\r\npartial",
    "not-http": b"\x00\x01garbage that is no HTTP response\r\n\r\n",
}
