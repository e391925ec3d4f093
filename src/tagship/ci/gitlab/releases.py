"""GitLab's releases as tagship's `Release` values: GitLab has no drafts, and creating a
release for a tag that does not exist would create the tag, so a draft lives in the client
until it is published: its files go to the project's generic package registry as they are
attached (`PUT /projects/:id/packages/generic/...`), and publishing creates the GitLab release
once (`POST /projects/:id/releases`, the tag must exist), with a link to each file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import count
from typing import Any
from urllib.parse import quote

from tagship.ci.api import Asset, NotFoundError, Release
from tagship.ci.gitlab.environment import IDENTITY
from tagship.ci.gitlab.session import GitLabSession, number, text

# where a release's files are kept: the generic package of this name, version = the tag
PACKAGE = "release-files"
READ, WRITE = "read_api (Reporter)", "api (Developer)"


@dataclass
class _Draft:
    """A release not yet on GitLab: what publishing it will send."""

    tag: str
    name: str
    body: str
    links: dict[int, dict[str, str]] = field(default_factory=dict)


class GitLabReleases(GitLabSession):
    """A project's releases, and the drafts this client holds until they are published."""

    keeps_drafts = False
    title = IDENTITY.host

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ids = count(1)
        self._tags: dict[int, str] = {}  # release id -> tag (GitLab names releases by tag)
        self._drafts: dict[int, _Draft] = {}
        self._links: dict[int, str] = {}  # link id -> its release's tag

    # -- releases --------------------------------------------------------------------------

    def _id(self, tag: str) -> int:
        known = next((rid for rid, t in self._tags.items() if t == tag), None)
        if known is None:
            known = next(self._ids)
            self._tags[known] = tag
        return known

    def _release(self, raw: dict[str, Any]) -> Release:
        tag = text(raw, "tag_name")
        assets = raw.get("assets")
        links = assets.get("links") if isinstance(assets, dict) else None
        found = []
        for link in links if isinstance(links, list) else ():
            if isinstance(link, dict):
                self._links[number(link, "id")] = tag
                found.append(Asset(number(link, "id"), text(link, "name"), 0))
        own = raw.get("_links")
        url = text(own, "self") if isinstance(own, dict) else ""
        name = text(raw, "name")
        return Release(
            self._id(tag),
            tag,
            name,
            text(raw, "description"),
            draft=False,
            prerelease=False,
            html_url=url,
            upload_url="",
            assets=tuple(found),
        )

    def _draft(self, rid: int, draft: _Draft) -> Release:
        links = tuple(
            Asset(lid, link["name"], int(link["size"]), link["digest"] or None)
            for lid, link in draft.links.items()
        )
        return Release(
            rid,
            draft.tag,
            draft.name,
            draft.body,
            draft=True,
            prerelease=False,
            html_url="",
            upload_url="",
            assets=links,
        )

    def releases(self) -> list[Release]:
        """GitLab's releases, and the drafts this client holds."""
        found = [self._release(raw) for raw in self.pages("/releases", "listing releases", READ)]
        return found + [self._draft(rid, d) for rid, d in self._drafts.items()]

    def release(self, release_id: int) -> Release | None:
        if release_id in self._drafts:
            return self._draft(release_id, self._drafts[release_id])
        tag = self._tags.get(release_id)
        raw = (
            None
            if tag is None
            else self.found(f"/releases/{quote(tag, safe='')}", f"reading release {tag}", READ)
        )
        return self._release(raw) if isinstance(raw, dict) else None

    def create_release(self, tag: str, name: str, body: str, *, target: str) -> Release:  # noqa: ARG002 - the tag names the commit
        rid = self._id(tag)
        self._drafts[rid] = _Draft(tag, name, body)
        return self._draft(rid, self._drafts[rid])

    def update_release(self, release_id: int, what: str, **fields: Any) -> Release | None:
        """Change a release's name or notes; publishing a draft (draft=False) creates the
        GitLab release with its links. None when the release is gone."""
        draft = self._drafts.get(release_id)
        if draft is not None:
            draft.name, draft.body = fields.get("name", draft.name), fields.get("body", draft.body)
            if fields.get("draft", True) is not False:
                return self._draft(release_id, draft)
            links = [
                {"name": link["name"], "url": link["url"], "link_type": "package"}
                for link in draft.links.values()
            ]
            payload = {
                "tag_name": draft.tag,
                "name": draft.name,
                "description": draft.body,
                "assets": {"links": links},
            }
            raw = self.json("POST", "/releases", what, WRITE, json=payload)
            del self._drafts[release_id]
            return self._release(raw) if isinstance(raw, dict) else None
        tag = self._tags.get(release_id)
        if tag is None:
            return None
        payload = {
            k: v
            for k, v in (("name", fields.get("name")), ("description", fields.get("body")))
            if v is not None
        }
        try:
            raw = self.json("PUT", f"/releases/{quote(tag, safe='')}", what, WRITE, json=payload)
        except NotFoundError:
            return None
        return self._release(raw) if isinstance(raw, dict) else None

    def upload_asset(self, release: Release, name: str, data: bytes, content_type: str) -> Asset:  # noqa: ARG002
        """Store the file in the generic package `release-files` at the release's tag; the
        link to it joins the release when the draft is published (or at once, if it is)."""
        path = (
            f"/packages/generic/{PACKAGE}/{quote(release.tag_name, safe='')}/{quote(name, safe='')}"
        )
        raw = self.json(
            "PUT",
            path,
            f"uploading {name} for release {release.tag_name}",
            WRITE,
            content=data,
            params={"select": "package_file"},
        )
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        said = text(raw, "file_sha256") if isinstance(raw, dict) else ""
        if said and said != digest.removeprefix("sha256:"):
            digest = "sha256:" + said  # what GitLab holds is what the check compares
        link = {"name": name, "url": self.url(path), "size": str(len(data)), "digest": digest}
        draft = self._drafts.get(release.id)
        if draft is not None:
            lid = (
                number(raw, "id")
                if isinstance(raw, dict) and number(raw, "id")
                else -len(draft.links) - 1
            )
            draft.links[lid] = link
            return Asset(lid, name, len(data), digest)
        made = self.json(
            "POST",
            f"/releases/{quote(release.tag_name, safe='')}/assets/links",
            f"linking {name} to release {release.tag_name}",
            WRITE,
            json={"name": name, "url": link["url"], "link_type": "package"},
        )
        lid = number(made, "id") if isinstance(made, dict) else 0
        self._links[lid] = release.tag_name
        return Asset(lid, name, len(data), digest)

    def delete_asset(self, asset_id: int) -> None:
        for draft in self._drafts.values():
            if draft.links.pop(asset_id, None) is not None:
                return
        tag = self._links.get(asset_id)
        if tag is not None:
            self.found(
                f"/releases/{quote(tag, safe='')}/assets/links/{asset_id}",
                "deleting a release link",
                WRITE,
            )
