"""A fault-injecting HTTP proxy that sits between tagship and a real index.

Faults are planned per POST (upload) request, in order: the n-th POST gets `plan[n]`.
A fault either replaces the request (the index never sees it) or, with `after=True`, lets
the request reach the index and then spoils the answer (the file landed, the client
does not know).
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterator

KINDS = ("500", "502", "503", "429", "reset", "stall", "cut")


@dataclass(frozen=True)
class Fault:
    kind: str  # one of KINDS
    after: bool = False  # forward to the index first, then spoil the answer


class _Handler(BaseHTTPRequestHandler):
    server: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, *_: object) -> None:  # keep test output clean
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        target = urlsplit(self.server.upstream)
        connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        connection.request(self.command, self.path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        skipped = {"transfer-encoding", "connection", "content-length"}
        kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in skipped]
        connection.close()
        return answer.status, kept, data

    def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _spoil(self, fault: Fault) -> None:
        if fault.kind in ("500", "502", "503"):
            self._send(int(fault.kind), [("Content-Type", "text/plain")], b"injected failure")
        elif fault.kind == "429":
            self._send(429, [("Retry-After", "0")], b"slow down")
        elif fault.kind == "reset":
            # SO_LINGER 0 makes close() send a TCP reset
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif fault.kind == "stall":
            time.sleep(self.server.stall_seconds)
            self.close_connection = True
        elif fault.kind == "cut":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"partial")
            self.close_connection = True

    def _handle(self) -> None:
        body = self._body()
        fault = self.server.next_fault(self.command)
        if fault is None or fault.after:
            status, headers, data = self._forward(body)
            if fault is None:
                self._send(status, headers, data)
                return
        self._spoil(fault)

    do_GET = _handle  # noqa: N815 - http.server's naming
    do_POST = _handle  # noqa: N815


class FaultProxy(ThreadingHTTPServer):
    """Forwards to `upstream`; POST number n (from 0) suffers `plan.get(n)`."""

    daemon_threads = True

    def __init__(self, upstream: str, plan: dict[int, Fault], stall_seconds: float = 3.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream.rstrip("/")
        self.plan = dict(plan)
        self.stall_seconds = stall_seconds
        self.posts = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def next_fault(self, method: str) -> Fault | None:
        if method != "POST":
            return None
        with self._lock:
            number, self.posts = self.posts, self.posts + 1
        return self.plan.get(number)


@contextmanager
def serve(proxy: FaultProxy) -> Iterator[FaultProxy]:
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=5)
