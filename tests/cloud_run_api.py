"""A local stand-in for the Cloud Run Admin API v2 REST surface tagship uses: get a service,
list its revisions, PATCH its traffic (a long-running Operation, polled until done)."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from werkzeug import Request, Response

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

PROJECT, REGION, SERVICE = "charm-prod", "europe-west1", "api"
NAME = f"projects/{PROJECT}/locations/{REGION}/services/{SERVICE}"
LATEST = 1  # TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST (JSON enums as ints: enum-encoding=int)
REVISION = 2  # TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
OPERATION = f"projects/{PROJECT}/locations/{REGION}/operations/op-1"


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


class FakeCloudRun:
    """One service with three revisions; traffic 90/10 between the two newest (a canary)."""

    def __init__(self, server: HTTPServer) -> None:
        self.revisions = [f"{SERVICE}-0000{n}-abc" for n in (3, 2, 1)]
        self.service: dict[str, Any] = {
            "name": NAME,
            "etag": '"etag-1"',
            "latestReadyRevision": f"{NAME}/revisions/{self.revisions[0]}",
            "traffic": [
                {"type": REVISION, "revision": self.revisions[0], "percent": 10},
                {"type": REVISION, "revision": self.revisions[1], "percent": 90},
                {"type": LATEST, "tag": "canary"},
            ],
        }
        self.patches: list[dict[str, Any]] = []
        self.pending: dict[str, Any] | None = None
        self.gets = 0
        self.change_after_get: int | None = None  # simulate another writer after that GET
        base = f"/v2/{NAME}"
        server.expect_request(base, method="GET").respond_with_handler(self._get)
        server.expect_request(base, method="PATCH").respond_with_handler(self._patch)
        server.expect_request(f"{base}/revisions", method="GET").respond_with_handler(self._list)
        server.expect_request(f"/v2/{OPERATION}", method="GET").respond_with_handler(self._op)
        missing = {"error": {"code": 404, "message": "service not found", "status": "NOT_FOUND"}}
        server.expect_request(re.compile(r"/v2/projects/.+")).respond_with_json(missing, 404)

    def _get(self, _: Request) -> Response:
        response = _json(self.service)
        self.gets += 1
        if self.gets == self.change_after_get:
            self.service = {**self.service, "etag": '"etag-other"'}
        return response

    def _list(self, _: Request) -> Response:
        revisions = [{"name": f"{NAME}/revisions/{r}", "service": SERVICE} for r in self.revisions]
        return _json({"revisions": revisions})

    def _patch(self, request: Request) -> Response:
        body = json.loads(request.get_data())
        self.patches.append(body)
        if body.get("etag") != self.service["etag"]:
            error = {"code": 409, "message": "etag mismatch", "status": "ABORTED"}
            return _json({"error": error}, 409)
        # the change is applied when the operation is polled, as on Cloud Run
        self.pending = {**self.service, "traffic": body["traffic"], "etag": '"etag-2"'}
        return _json({"name": OPERATION, "done": False})

    def _op(self, _: Request) -> Response:
        if self.pending is not None:
            self.service, self.pending = self.pending, None
        response = {"@type": "type.googleapis.com/google.cloud.run.v2.Service", **self.service}
        return _json({"name": OPERATION, "done": True, "response": response})
