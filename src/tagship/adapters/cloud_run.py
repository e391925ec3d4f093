"""Cloud Run traffic through the Cloud Run Admin API v2 (`google-cloud-run`, extra `cloudrun`).

The client speaks REST, not gRPC, so `TAGSHIP_CLOUD_RUN_ENDPOINT` can point it at another
endpoint (a regional one, or a local stand-in as in the tests): the REST transport keeps an
`http://` or `https://` prefix of `api_endpoint` and uses https otherwise. Credentials are
Application Default Credentials (google.auth.default), except on a loopback endpoint, which
gets anonymous credentials so no token ever goes to a local server.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tagship.adapters.extras import Importer, import_extra
from tagship.adapters.http_rules import require_secure
from tagship.core.errors import ConfigError, ServiceError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

ENDPOINT_VARIABLE = "TAGSHIP_CLOUD_RUN_ENDPOINT"
OPERATION_TIMEOUT = 600.0  # seconds; a traffic change usually settles within a minute
_REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"


@dataclass(frozen=True)
class TrafficShare:
    """One traffic target: a revision (None: the latest ready one), its percent, its tag."""

    revision: str | None
    percent: int
    tag: str = ""

    def label(self) -> str:
        text = f"{self.revision or 'LATEST'}={self.percent}%"
        return f"{text} (tag {self.tag})" if self.tag else text


@dataclass(frozen=True)
class ServiceState:
    """What tagship needs to know about a service: its name, traffic split and etag."""

    name: str
    traffic: tuple[TrafficShare, ...]
    latest_ready: str
    etag: str


def service_name(project: str, region: str, service: str) -> str:
    return f"projects/{project}/locations/{region}/services/{service}"


def short_name(resource: str) -> str:
    """`projects/p/locations/r/services/s/revisions/s-00001` -> `s-00001`."""
    return resource.rsplit("/", 1)[-1]


def _is_loopback(endpoint: str) -> bool:
    host = urlsplit(endpoint if "//" in endpoint else f"//{endpoint}").hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class CloudRunAdmin:
    """The three calls a rollback makes: get a service, list its revisions, set its traffic."""

    def __init__(self, run_v2: Any, exceptions: Any, services: Any, revisions: Any) -> None:
        self._run_v2 = run_v2
        self._exc = exceptions
        self._services = services
        self._revisions = revisions

    @classmethod
    def connect(cls, env: Mapping[str, str], *, importer: Importer | None = None) -> CloudRunAdmin:
        """A client for the API endpoint of `env` (default: run.googleapis.com)."""
        extra = {"importer": importer} if importer is not None else {}
        run_v2 = import_extra(
            "google.cloud.run_v2",
            extra="cloudrun",
            package="google-cloud-run",
            command="rollback cloud-run",
            **extra,
        )
        exceptions = import_extra(
            "google.api_core.exceptions",
            extra="cloudrun",
            package="google-cloud-run",
            command="rollback cloud-run",
            **extra,
        )
        from google.api_core.client_options import ClientOptions  # noqa: PLC0415 - optional
        from google.auth.credentials import AnonymousCredentials  # noqa: PLC0415

        endpoint = env.get(ENDPOINT_VARIABLE) or None
        credentials = None
        if endpoint is not None:
            if "://" in endpoint:
                require_secure(endpoint)
            if _is_loopback(endpoint):
                # google-auth ships no type hints for it
                credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
        options = ClientOptions(api_endpoint=endpoint) if endpoint is not None else None
        made = {"credentials": credentials, "transport": "rest", "client_options": options}
        try:
            services = run_v2.ServicesClient(**made)
            revisions = run_v2.RevisionsClient(**made)
        except Exception as exc:  # google.auth's DefaultCredentialsError and kin
            raise ConfigError(
                f"cannot set up the Cloud Run client: {type(exc).__name__}: {exc}".splitlines()[0],
                hint="provide Google credentials: gcloud auth application-default login, "
                "GOOGLE_APPLICATION_CREDENTIALS, or google-github-actions/auth in a workflow",
            ) from exc
        return cls(run_v2, exceptions, services, revisions)

    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except self._exc.NotFound:
            raise UsageError(
                f"Cloud Run says {what} does not exist",
                hint="check --service, --region and --project (gcloud run services list)",
            ) from None
        except (self._exc.PermissionDenied, self._exc.Unauthenticated) as exc:
            raise ConfigError(
                f"Cloud Run refused {what}: {exc.message}",
                hint="the credentials need roles/run.developer on the service",
            ) from None
        except (self._exc.GoogleAPIError, self._exc.RetryError, TimeoutError) as exc:
            text = f"Cloud Run failed on {what}: {type(exc).__name__}: {exc}".splitlines()[0]
            raise ServiceError(text, hint="check the service in the console, then rerun") from exc

    def service(self, name: str) -> ServiceState:
        raw = self._call(f"service {name}", lambda: self._services.get_service(name=name))
        return self._state(raw)

    def revisions(self, name: str) -> list[str]:
        """Short names of the service's revisions, as the API lists them (newest first)."""

        def listing() -> list[str]:
            pages: Iterator[Any] = iter(self._revisions.list_revisions(parent=name))
            return [short_name(r.name) for r in pages]

        found: list[str] = self._call(f"the revisions of {name}", listing)
        return found

    def route_all(
        self, name: str, revision: str, *, timeout: float = OPERATION_TIMEOUT
    ) -> tuple[ServiceState, str]:
        """Send 100% of traffic to `revision`, keeping tagged targets at 0% (their URLs stay);
        returns (new state, operation name). The service's etag guards against a concurrent
        change between reading and writing."""
        raw = self._call(f"service {name}", lambda: self._services.get_service(name=name))
        run = self._run_v2
        kind = run.TrafficTargetAllocationType
        targets = [run.TrafficTarget(type_=kind[_REVISION], revision=revision, percent=100)]
        targets.extend(
            run.TrafficTarget(type_=t.type_, revision=t.revision, percent=0, tag=t.tag)
            for t in raw.traffic
            if t.tag
        )
        raw.traffic = targets

        def update() -> tuple[ServiceState, str]:
            operation = self._services.update_service(service=raw)
            done = operation.result(timeout=timeout)
            return self._state(done), str(operation.operation.name)

        result: tuple[ServiceState, str] = self._call(f"the traffic update of {name}", update)
        return result

    def _state(self, raw: Any) -> ServiceState:
        revision_kind = self._run_v2.TrafficTargetAllocationType[_REVISION]
        shares = tuple(
            TrafficShare(
                t.revision if t.type_ == revision_kind else None, int(t.percent), t.tag or ""
            )
            for t in raw.traffic
        )
        return ServiceState(raw.name, shares, short_name(raw.latest_ready_revision), raw.etag)
