"""Package indexes over HTTP: reading a project's files from the simple API.

PEP 691 JSON when the index offers it (asked for with the Accept header), else PEP 503 HTML
with `#sha256=` fragments and `data-yanked` (PEP 592). Every request goes through the shared
HTTP chokepoint (adapters/http.py), and so do downloads of the files a page lists.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit

from tagship.adapters.http_rules import request_secrets
from tagship.adapters.project_status import ProjectStatus, project_status
from tagship.adapters.secrets import scrub
from tagship.core.answers import INDEX_ANSWER, PROVENANCE_ANSWER
from tagship.core.errors import ServiceError
from tagship.core.names import normalized_name
from tagship.core.printable import printable

if TYPE_CHECKING:
    import httpx

    from tagship.adapters.http import Http
    from tagship.core.answers import AnswerLimits
    from tagship.core.config import Credentials

_MAX_REDIRECTS = 5
JSON_TYPE = "application/vnd.pypi.simple.v1+json"
INTEGRITY_TYPE = "application/vnd.pypi.integrity.v1+json"
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"


@dataclass(frozen=True)
class IndexFile:
    """One file of a project on an index. `yanked` is None, or the reason ('' if none given)."""

    filename: str
    url: str
    sha256: str | None
    yanked: str | None = None
    provenance: str | None = None  # PEP 740: the URL of its provenance, when the index has one
    size: int | None = None  # PEP 700 (JSON pages only), as `upload_time`
    upload_time: str | None = None  # ISO 8601, e.g. 2026-07-08T16:43:57.123456Z


@dataclass(frozen=True)
class ProjectPage:
    """A project's simple-API page: its files, in the index's order."""

    name: str
    files: tuple[IndexFile, ...]
    # PEP 792 `project-status` (JSON pages only): the status, and its reason when given
    status: ProjectStatus | None = None
    api_version: str | None = None  # PEP 629 `meta.api-version` of a JSON page


def _yanked(value: Any) -> str | None:
    if value is None or value is False:
        return None
    return value if isinstance(value, str) else ""


def _provenance(value: Any, base_url: str) -> str | None:
    # PEP 740: a URL, or null when the index has no provenance for the file
    return urljoin(base_url, value) if isinstance(value, str) and value else None


def _json_file(raw: Any, base_url: str) -> IndexFile:
    filename, url, hashes = raw["filename"], raw["url"], raw.get("hashes") or {}
    sha256 = hashes.get("sha256")
    if not (isinstance(filename, str) and isinstance(url, str)):
        raise TypeError(filename, url)
    if not isinstance(sha256, str | None):
        raise TypeError(sha256)
    size, upload_time = raw.get("size"), raw.get("upload-time")
    return IndexFile(
        filename,
        urljoin(base_url, url),
        sha256,
        _yanked(raw.get("yanked")),
        _provenance(raw.get("provenance"), base_url),
        size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
        upload_time if isinstance(upload_time, str) else None,
    )


def parse_json_page(name: str, data: Any, base_url: str) -> ProjectPage:
    """A PEP 691 JSON project page."""
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise ServiceError(f"the index's JSON page of {name} has no file list")
    try:
        files = [_json_file(raw, base_url) for raw in data["files"]]
    except (KeyError, TypeError, AttributeError, ValueError):  # ValueError: a malformed URL
        raise ServiceError(f"the index's JSON page of {name} has a malformed file entry") from None
    meta = data.get("meta")
    version = meta.get("api-version") if isinstance(meta, dict) else None
    status = project_status(data.get("project-status"))
    # the index's words, shown in notes: nothing in them acts on a terminal
    shown = printable(version) if isinstance(version, str) else None
    return ProjectPage(name, tuple(files), status, shown)


# PEP 503 pages are generated, flat lists of anchors: a regular expression reads 20,000 of
# them ten times faster than html.parser (the audit of a large project reads them all)
# an anchor's attributes and text stop at the next `<` (PEP 503 escapes it in values): a
# page of tags never closed is read in one pass, never searched to its end from each tag
_ANCHOR = re.compile(r"<a\s([^<>]*)>([^<]*)", re.IGNORECASE)
MAX_FILES = 200_000  # what a project's page lists; PyPI's largest hold tens of thousands
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _attributes(text: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for match in _ATTRIBUTE.finditer(text):
        name, double, single, bare = match.groups()
        value = double if double is not None else single if single is not None else bare
        found[name.lower()] = None if value is None else html.unescape(value)
    return found


def parse_html_page(name: str, text: str, base_url: str) -> ProjectPage:
    """A PEP 503 HTML project page (PEP 592 `data-yanked`, `#sha256=` fragments), of at most
    MAX_FILES links."""
    # counted before any is parsed, and without a copy: every anchor starts so
    if text.count("<a") + text.count("<A") > MAX_FILES:
        raise ServiceError(
            f"the index's page {base_url} lists more than {MAX_FILES} files",
            hint="no project has that many: check that simple-url is the index's",
        )
    files = []
    for match in _ANCHOR.finditer(text):
        attrs = _attributes(match.group(1))
        try:
            url, fragment = urldefrag(urljoin(base_url, attrs.get("href") or ""))
        except ValueError:  # e.g. http://[::1 (an unclosed IPv6 address)
            raise ServiceError(f"the index's page of {name} links to a malformed URL") from None
        algorithm, _, digest = fragment.partition("=")
        label = html.unescape(match.group(2)).strip()
        # the attribute marks a yank; its value, if any, is the reason
        yanked = (attrs["data-yanked"] or "") if "data-yanked" in attrs else None
        sha256 = digest if algorithm == "sha256" and digest else None
        files.append(IndexFile(label or url.rsplit("/", 1)[-1], url, sha256, yanked))
    return ProjectPage(name, tuple(files))


class SimpleIndex:
    """The simple API of one index (`simple_url` such as `https://pypi.org/simple/`).

    Requests go through the shared `Http` chokepoint (retries, https-only off loopback)."""

    def __init__(self, simple_url: str, http: Http, credentials: Credentials | None = None) -> None:
        self.simple_url = simple_url.rstrip("/") + "/"
        self._http = http
        self._credentials = credentials

    def _fetch(self, url: str, accept: str, limits: AnswerLimits) -> httpx.Response:
        auth = self._credentials
        return self._http.get(
            url,
            limits=limits,
            headers={"Accept": accept},
            auth=(auth.username, auth.password) if auth is not None else None,
            follow_redirects=False,  # followed by hand: only on the index's own host
        )

    def _get(
        self, url: str, accept: str, limits: AnswerLimits = INDEX_ANSWER
    ) -> httpx.Response | None:
        """The 200 response, None on 404, ServiceError on any other answer."""
        response = self._fetch(url, accept, limits)
        hops = 0
        while response.is_redirect:
            try:
                target = urljoin(url, response.headers.get("location", ""))
                elsewhere = urlsplit(target).netloc != urlsplit(url).netloc
            except ValueError:
                raise ServiceError(
                    f"index {self.simple_url} redirects {url} to a malformed URL"
                ) from None
            if elsewhere:
                # e.g. pypiserver sends projects it lacks on to pypi.org: not on this index
                return None
            hops += 1
            if hops > _MAX_REDIRECTS:
                raise ServiceError(f"index {self.simple_url} redirects {url} in circles")
            url = target
            response = self._fetch(url, accept, limits)
        if response.status_code == 404:  # noqa: PLR2004
            return None
        if response.status_code != 200:  # noqa: PLR2004
            raise ServiceError(
                f"index {self.simple_url} answered HTTP {response.status_code} for {url}",
                hint="check the index URL and the TAGSHIP_INDEX_<NAME>_* credentials",
            )
        return response

    def project(self, name: str) -> ProjectPage | None:
        """The project's files on the index, or None when the index does not know it."""
        url = urljoin(self.simple_url, normalized_name(name) + "/")
        response = self._get(url, ACCEPT)
        if response is None:
            return None
        base = str(response.url)
        content_type = response.headers.get("content-type", "").split(";")[0].strip()
        if content_type == JSON_TYPE:
            from tagship.adapters.http_guard import answer_json  # noqa: PLC0415 - imports httpx

            try:
                data = answer_json(response, INDEX_ANSWER)
            except ValueError:  # not JSON (its nesting was measured: never too deep to parse)
                raise ServiceError(f"the index sent invalid JSON for {url}") from None
            page = parse_json_page(name, data, base)
        else:
            page = parse_html_page(name, response.text, base)
        # a yank reason is the index's free text, and a yank's record keeps it
        secrets = request_secrets(response.request)
        return replace(
            page,
            files=tuple(
                replace(f, yanked=None if f.yanked is None else printable(scrub(f.yanked, secrets)))
                for f in page.files
            ),
        )

    def download(self, file: IndexFile, into: IO[bytes], *, limit: int) -> bool:
        """Stream the file's bytes into `into` (see Http.download); False when the index
        answers 404, ServiceError on any other failure. The index's credentials go only to
        its own host (PyPI serves files from another)."""
        own = urlsplit(file.url).netloc == urlsplit(self.simple_url).netloc
        auth = self._credentials if own else None
        response = self._http.download(
            file.url,
            into,
            limit=limit,
            auth=(auth.username, auth.password) if auth is not None else None,
        )
        if response.status_code == 404:  # noqa: PLR2004
            return False
        if response.status_code != 200:  # noqa: PLR2004
            raise ServiceError(
                f"index {self.simple_url} answered HTTP {response.status_code} for {file.url}",
                hint="check that the index is up, then rerun",
            )
        return True

    def provenance(self, file: IndexFile) -> bytes | None:
        """The file's PEP 740 provenance document, unparsed (the audit judges it), or None
        when the page names no provenance URL or the URL answers 404; no URL, no request."""
        if file.provenance is None:
            return None
        from tagship.adapters.http_guard import measure_json  # noqa: PLC0415 - imports httpx

        accept = f"{INTEGRITY_TYPE}, application/json;q=0.5"
        response = self._get(file.provenance, accept, PROVENANCE_ANSWER)
        if response is None:
            return None
        measure_json(response, PROVENANCE_ANSWER)  # a model parses it: errors cost memory
        return response.content
