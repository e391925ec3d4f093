"""The one place that talks to GitHub: the REST calls tagship makes, in tagship's own values.

The HTTP details (retries, rate limits, errors naming the missing permission) live in
`github_session`.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any

from tagship.ci.api import Asset, Commit, NotFoundError, Release, WorkflowRun
from tagship.ci.github.session import DEFAULT_API_URL, GitHubSession
from tagship.core.checks import CheckSignal, check_run_state, status_state
from tagship.core.ci_identity import GITHUB_RULES, RunFacts
from tagship.core.errors import ServiceError
from tagship.core.notes import MergedPull

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["DEFAULT_API_URL", "Asset", "GitHubClient", "NotFoundError", "Release", "WorkflowRun"]

_PER_PAGE = 100
# a release carries its assets: 30 releases of 160 assets fit in one answer (GITHUB_ANSWER)
_RELEASES_PER_PAGE = 30
_MAX_ITEMS = 20_000  # the longest listing read: releases, commits between two tags


def _digest(raw: Any) -> str | None:
    # GitHub computes `digest` ("sha256:<hex>") for assets uploaded since June 2025
    digest = getattr(raw, "digest", None)
    return digest if isinstance(digest, str) and digest else None


def _release(raw: Any) -> Release:
    assets = tuple(Asset(a.id, a.name, a.size, _digest(a)) for a in raw.assets)
    immutable = getattr(raw, "immutable", None)
    return Release(
        raw.id,
        raw.tag_name,
        raw.name or "",
        raw.body or "",
        raw.draft,
        raw.prerelease,
        raw.html_url,
        raw.upload_url,
        assets,
        immutable if isinstance(immutable, bool) else None,
    )


class GitHubClient(GitHubSession):
    """The REST calls tagship makes, each returning tagship's own values."""

    keeps_drafts = True
    title = GITHUB_RULES.host

    def _pages(
        self, method: Any, *, per_page: int = _PER_PAGE, **params: Any
    ) -> Callable[[], list[Any]]:
        """A request for every page of a listing of this repository (`map_func` picks the
        items out of pages that wrap them), of at most _MAX_ITEMS items: a server whose
        pages never end is refused, not gathered until memory runs out."""
        rest = self._gh.rest

        def gather() -> list[Any]:
            pages = rest.paginate(
                method, owner=self.owner, repo=self.repo, per_page=per_page, **params
            )
            items = list(islice(pages, _MAX_ITEMS + 1))
            if len(items) > _MAX_ITEMS:
                raise ServiceError(
                    f"GitHub lists more than {_MAX_ITEMS} items for {method.__name__} of "
                    f"{self.full_name}: tagship reads no more",
                    hint="is GITHUB_API_URL a GitHub REST API?",
                )
            return items

        return gather

    # -- commits and checks ----------------------------------------------------------------

    def commit_sha(self, ref: str) -> str | None:
        """The commit `ref` (branch, tag or sha) names on GitHub, or None when it names none."""
        return self._found(
            f"resolving {ref!r}",
            "contents: read",
            lambda: (
                self._gh.rest.repos.get_commit(
                    self.owner, self.repo, ref, per_page=1
                ).parsed_data.sha
            ),
        )

    def check_runs(self, sha: str) -> list[CheckSignal]:
        rest = self._gh.rest
        runs = self._all(
            f"listing check runs of {sha[:12]}",
            "checks: read",
            self._pages(
                rest.checks.list_for_ref, map_func=lambda r: r.parsed_data.check_runs, ref=sha
            ),
        )
        return [
            CheckSignal(
                run.name,
                check_run_state(run.status, run.conclusion),
                run.conclusion or run.status,
                str(run.completed_at or run.started_at or ""),
                run.id,
                run.html_url or "",
            )
            for run in runs
        ]

    def statuses(self, sha: str) -> list[CheckSignal]:
        rest = self._gh.rest
        statuses = self._all(
            f"listing commit statuses of {sha[:12]}",
            "statuses: read",
            self._pages(rest.repos.list_commit_statuses_for_ref, ref=sha),
        )
        return [
            CheckSignal(
                s.context,
                status_state(s.state),
                s.state,
                str(s.updated_at),
                s.id,
                s.target_url or "",
                "status",
            )
            for s in statuses
        ]

    # -- pull requests ---------------------------------------------------------------------

    def pull_labels(self, number: int) -> list[str] | None:
        """The labels of pull request `number`, or None when there is no such issue."""
        rest = self._gh.rest
        labels: list[Any] | None = self._found(
            f"reading the labels of pull request #{number}",
            "pull-requests: read",
            self._pages(rest.issues.list_labels_on_issue, issue_number=number),
        )
        return None if labels is None else [label.name for label in labels]

    def compare(self, base: str, head: str) -> list[Commit] | None:
        """The commits in `head` and not in `base`; None when either is unknown."""
        rest = self._gh.rest
        commits = self._found(
            f"comparing {base}...{head}",
            "contents: read",
            self._pages(
                rest.repos.compare_commits,
                map_func=lambda r: r.parsed_data.commits,
                basehead=f"{base}...{head}",
            ),
        )
        return None if commits is None else [Commit(c.sha, c.commit.message) for c in commits]

    def merged_pulls_of(self, sha: str) -> list[MergedPull]:
        """The merged pull requests that brought commit `sha` in."""
        rest = self._gh.rest
        pulls = self._all(
            f"listing pull requests of commit {sha[:12]}",
            "pull-requests: read",
            self._pages(rest.repos.list_pull_requests_associated_with_commit, commit_sha=sha),
        )
        return [
            MergedPull(
                p.number,
                p.title,
                p.user.login if p.user is not None else "ghost",
                tuple(label.name for label in p.labels),
                p.html_url,
            )
            for p in pulls
            if p.merged_at is not None
        ]

    def merged_pull(self, number: int) -> MergedPull | None:
        """Pull request `number` when it was merged; None when it was not, or is none."""
        raw: Any = self._found(
            f"reading pull request #{number}",
            "pull-requests: read",
            # the JSON as sent: only the fields the notes need are read
            lambda: self._gh.rest.pulls.get(self.owner, self.repo, number).json(),
        )
        if not isinstance(raw, dict) or raw.get("merged_at") is None:
            return None
        user = raw.get("user")
        labels = raw.get("labels")
        return MergedPull(
            number,
            str(raw.get("title", "")),
            str(user.get("login", "ghost")) if isinstance(user, dict) else "ghost",
            tuple(
                str(label.get("name", ""))
                for label in (labels if isinstance(labels, list) else ())
                if isinstance(label, dict)
            ),
            str(raw.get("html_url", "")),
        )

    def pull_files(self, number: int) -> list[str]:
        """The paths pull request `number` changed (a renamed file under both names)."""
        rest = self._gh.rest
        files = self._all(
            f"listing the files of pull request #{number}",
            "pull-requests: read",
            self._pages(rest.pulls.list_files, pull_number=number),
        )
        return [path for f in files for path in (f.filename, f.previous_filename) if path]

    # -- releases --------------------------------------------------------------------------

    def releases(self) -> list[Release]:
        """Every release, drafts included (the tag lookup does not find drafts)."""
        rest = self._gh.rest
        raw = self._all(
            "listing releases",
            "contents: read",
            self._pages(rest.repos.list_releases, per_page=_RELEASES_PER_PAGE),
        )
        return [_release(r) for r in raw]

    def release(self, release_id: int) -> Release | None:
        """Release `release_id` as GitHub holds it now; None when it is gone."""
        raw = self._found(
            f"reading release {release_id}",
            "contents: read",
            lambda: self._gh.rest.repos.get_release(self.owner, self.repo, release_id).parsed_data,
        )
        return None if raw is None else _release(raw)

    def tag_exists(self, tag: str) -> bool:
        found = self._found(
            f"looking up tag {tag}",
            "contents: read",
            lambda: self._gh.rest.git.get_ref(self.owner, self.repo, f"tags/{tag}"),
        )
        return found is not None

    def create_release(self, tag: str, name: str, body: str, *, target: str) -> Release:
        response = self._call(
            f"creating the draft release {tag}",
            "contents: write",
            lambda: (
                self._gh.rest.repos.create_release(
                    self.owner,
                    self.repo,
                    tag_name=tag,
                    name=name,
                    body=body,
                    draft=True,
                    target_commitish=target,
                ).parsed_data
            ),
        )
        return _release(response)

    def update_release(self, release_id: int, what: str, **fields: Any) -> Release | None:
        """PATCH a release; None when it no longer exists (deleted meanwhile)."""
        response = self._found(
            what,
            "contents: write",
            lambda: (
                self._gh.rest.repos.update_release(
                    self.owner, self.repo, release_id, **fields
                ).parsed_data
            ),
        )
        return None if response is None else _release(response)

    def delete_asset(self, asset_id: int) -> None:
        self._found(
            "deleting a release asset",
            "contents: write",
            lambda: self._gh.rest.repos.delete_release_asset(self.owner, self.repo, asset_id),
        )

    def upload_asset(self, release: Release, name: str, data: bytes, content_type: str) -> Asset:
        """Upload through the release's own `upload_url` (a separate host on github.com)."""
        from githubkit_schemas.latest.models import ReleaseAsset  # noqa: PLC0415

        url = release.upload_url.split("{", 1)[0]
        response = self._call(
            f"uploading {name} to release {release.tag_name}",
            "contents: write",
            lambda: (
                self._gh.request(
                    "POST",
                    url,
                    params={"name": name},
                    content=data,
                    headers={"Content-Type": content_type},
                    response_model=ReleaseAsset,
                ).parsed_data
            ),
        )
        return Asset(response.id, response.name, response.size, _digest(response))

    # -- workflow runs ---------------------------------------------------------------------

    def open_pull(self, head: str, base: str, title: str, body: str) -> str:
        """Open a pull request from branch `head` into `base` and return its URL; when one is
        already open for `head` (a rerun), return that one's."""
        try:
            created = self._call(
                f"opening a pull request from {head}",
                "pull-requests: write",
                lambda: self._gh.rest.pulls.create(
                    self.owner, self.repo, head=head, base=base, title=title, body=body
                ).json(),
            )
        except NotFoundError:  # GitHub answers 422 when a pull request for `head` exists
            open_ones = self._call(
                f"finding the pull request from {head}",
                "pull-requests: read",
                lambda: self._gh.rest.pulls.list(
                    self.owner, self.repo, head=f"{self.owner}:{head}", state="open"
                ).json(),
            )
            if not open_ones:
                raise
            return str(open_ones[0]["html_url"])
        return str(created["html_url"])

    def workflow_runs(self, workflow: str, *, branch: str) -> list[WorkflowRun] | None:
        """Push-triggered runs of `workflow` (a file name) for `branch` (or tag), newest
        first; None when the workflow does not exist."""
        response = self._found(
            f"listing runs of workflow {workflow}",
            "actions: read",
            lambda: (
                self._gh.rest.actions.list_workflow_runs(
                    self.owner, self.repo, workflow, branch=branch, event="push", per_page=_PER_PAGE
                ).parsed_data.workflow_runs
            ),
        )
        if response is None:
            return None
        runs = [
            WorkflowRun(
                r.id,
                r.name or workflow,
                r.status or "",
                r.conclusion,
                r.html_url,
                r.head_sha,
                str(r.created_at),
            )
            for r in response
        ]
        return sorted(runs, key=lambda r: (r.created_at, r.id), reverse=True)

    def workflow_run(self, run_id: int, environment: str | None = None) -> RunFacts | None:
        """What GitHub says about run `run_id` of this repository; None when it knows none.
        Its deployments to `environment` are not asked about (`deployed` stays None)."""
        del environment
        run = self._found(
            f"reading workflow run {run_id}",
            "actions: read",
            lambda: (
                self._gh.rest.actions.get_workflow_run(self.owner, self.repo, run_id).parsed_data
            ),
        )
        if run is None:
            return None
        # GitHub sends the latest attempt; a run without the field has had one
        attempt = run.run_attempt if isinstance(run.run_attempt, int) else 1
        return RunFacts(
            run.repository.full_name, run.path, run.head_sha, run.head_branch, run.event, attempt
        )
