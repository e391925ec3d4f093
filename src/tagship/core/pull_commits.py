"""Pull requests named by commit messages (pure): GitHub's merge commits (`Merge pull request
#N from owner/branch`) and squash merges (`Title (#N)`, GitHub's default squash subject, also
its merge subject when a repository titles merges after the pull request)."""

from __future__ import annotations

import re

from tagship.core.notes import MergedPull, label_trailers, parse_merge_commit

_SUFFIX = re.compile(r"(?P<title>.*?)\s*\(#(?P<number>\d+)\)")
# GitHub's address for a user who keeps their email private, which squash commits carry:
# `12345+login@users.noreply.github.com` (older accounts: `login@users.noreply.github.com`)
_NOREPLY = re.compile(
    r"(?:\d+\+)?(?P<login>[a-z\d](?:[a-z\d-]*[a-z\d])?)@users\.noreply\.github\.com",
    re.IGNORECASE,
)


def pull_number(message: str) -> int | None:
    """The pull request a commit message's subject names, by either convention."""
    subject = message.split("\n", 1)[0]
    pull = parse_pull_commit(subject, "")
    return None if pull is None else pull.number


def github_login(email: str) -> str:
    """The GitHub account of a noreply address; "" for any other (a name is not a login)."""
    match = _NOREPLY.fullmatch(email.strip())
    return "" if match is None else match["login"]


def parse_pull_commit(subject: str, body: str, author_email: str = "") -> MergedPull | None:
    """The pull request a commit merged: a GitHub merge commit, or a squash merge whose
    subject ends in `(#N)` (the title is the rest, the author the commit's GitHub account
    when its email says it, the labels its `Release-Label:` trailers); None for any other."""
    merged = parse_merge_commit(subject, body)
    if merged is not None:
        return merged
    match = _SUFFIX.fullmatch(subject.strip())
    if match is None:
        return None
    title = match["title"] or subject.strip()
    return MergedPull(int(match["number"]), title, github_login(author_email), label_trailers(body))
