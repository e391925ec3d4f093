"""Is a record's GitHub Actions identity a run GitHub knows, or only a claim?

Pure: a record claiming GitHub Actions must name its repository, run id and attempt, workflow
file, ref and sha, consistent with the record itself (the project's repository, the commit
published, the tag). The caller asks GitHub for each claimed run and passes the answers in;
`run_problems` compares them with the claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.core.words import plural

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.core.ledger import Actor, Event

CI_IDENTITY_FORGED = "ci-identity-forged"
CI_IDENTITY_INCOMPLETE = "ci-identity-incomplete"
NOT_VERIFIED = "CI identity not verified (no token)"
WORKFLOWS = ".github/workflows/"
TAGS, HEADS = "refs/tags/", "refs/heads/"
_SHOWN = 100  # characters of a foreign value shown in a message
# what a tag push runs on; a branch may also be published from by hand (workflow_dispatch)
_EVENTS = {TAGS: ("push",), HEADS: ("push", "workflow_dispatch")}
# each claim, its name in messages, and its form: a malformed one never reaches a URL
_CLAIMS = (
    (
        "repository",
        "repository",
        re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/(?!\.\.?$)[A-Za-z0-9._-]{1,100}"),
    ),
    ("run_id", "run id", re.compile(r"[1-9][0-9]{0,18}")),
    ("run_attempt", "run attempt", re.compile(r"[1-9][0-9]{0,5}")),
    ("workflow", "workflow file", re.compile(r"[^/\\\x00-\x1f\x7f-\x9f]{1,255}\.ya?ml")),
    ("ref", "ref", re.compile(r"refs/(?:tags|heads)/[^\x00-\x1f\x7f-\x9f]{1,255}")),
    ("sha", "sha", re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")),
)


@dataclass(frozen=True)
class RunClaim:
    """The run a record names: what to ask GitHub, once per run."""

    repository: str
    run_id: int


@dataclass(frozen=True)
class RunFacts:
    """What GitHub says about a workflow run."""

    repository: str  # owner/name
    path: str  # .github/workflows/<file>, sometimes followed by @<ref>
    head_sha: str
    head_branch: str | None  # the branch or the tag name
    event: str
    run_attempt: int  # the latest attempt


def shown(value: str | None) -> str:
    """A value from a record or a server, safe to print: quoted and cut short unless it is
    short and printable."""
    if value is None:
        return "none"
    if value.isprintable() and len(value) <= _SHOWN:
        return value
    cut = value[:_SHOWN]
    return repr(cut) + ("..." if len(value) > _SHOWN else "")


def claim_problems(actor: Actor, event: Event, repository: str | None) -> list[tuple[str, str]]:
    """(kind, detail) for each claim of a GitHub Actions record that is missing, malformed, or
    inconsistent with the record or with the project's `repository` (when known)."""
    claims = [(name, form, getattr(actor, attr)) for attr, name, form in _CLAIMS]
    missing = [name for name, _, value in claims if not value]
    if missing:
        return [
            (CI_IDENTITY_INCOMPLETE, f"claims GitHub Actions but names no {', '.join(missing)}")
        ]
    found = [
        (CI_IDENTITY_FORGED, f"claims {name} {shown(value)}, which is malformed")
        for name, form, value in claims
        if not form.fullmatch(value)
    ]
    if found:
        return found
    claimed = actor.repository or ""
    if repository is not None and claimed.lower() != repository.lower():
        found.append((CI_IDENTITY_FORGED, f"names a run of {claimed}, not of {repository}"))
    if event.commit is None or actor.sha != event.commit.lower():
        detail = f"names a run at {actor.sha}, but publishes commit {shown(event.commit)}"
        found.append((CI_IDENTITY_FORGED, detail))
    ref = actor.ref or ""
    if ref.startswith(TAGS) and ref.removeprefix(TAGS) != event.tag:
        detail = f"names a run for {shown(ref)}, but publishes tag {shown(event.tag)}"
        found.append((CI_IDENTITY_FORGED, detail))
    return found


def claimed_run(actor: Actor) -> RunClaim:
    """The run of an actor whose claims passed `claim_problems`."""
    return RunClaim(actor.repository or "", int(actor.run_id or "0"))


def _ref_problem(ref: str, facts: RunFacts) -> str | None:
    prefix = TAGS if ref.startswith(TAGS) else HEADS
    # GitHub names the pushed tag or branch without its refs/ prefix
    if facts.head_branch != ref.removeprefix(prefix):
        return f"it ran for {shown(facts.head_branch)}, not {ref}"
    if facts.event not in _EVENTS[prefix]:
        return f"it was triggered by {shown(facts.event)}, not {' or '.join(_EVENTS[prefix])}"
    return None


def run_problems(actor: Actor, facts: RunFacts | None) -> list[str]:
    """What GitHub says that contradicts the claim (`facts` None: GitHub knows no such run)."""
    if facts is None:
        return ["there is no such run"]
    found = []
    if facts.repository.lower() != (actor.repository or "").lower():
        found.append(f"it belongs to {shown(facts.repository)}")
    path = facts.path.partition("@")[0]
    if path != WORKFLOWS + (actor.workflow or ""):
        found.append(f"it ran {shown(path)}, not {WORKFLOWS}{actor.workflow}")
    if facts.head_sha.lower() != actor.sha:
        found.append(f"it ran at {shown(facts.head_sha)}, not {actor.sha}")
    ref = _ref_problem(actor.ref or "", facts)
    if ref is not None:
        found.append(ref)
    if int(actor.run_attempt or "0") > facts.run_attempt:
        found.append(f"it has {plural(facts.run_attempt, 'attempt')}, not {actor.run_attempt}")
    return found


def identity_problems(
    actor: Actor,
    event: Event,
    repository: str | None,
    runs: Mapping[RunClaim, RunFacts | None] | None,
) -> list[tuple[str, str]]:
    """(kind, detail) for each problem with a GitHub Actions record's identity: its claims,
    then GitHub's answer about its run (`runs` None: GitHub was not asked)."""
    claims = claim_problems(actor, event, repository)
    if claims or runs is None:
        return claims
    claim = claimed_run(actor)
    problems = run_problems(actor, runs.get(claim))
    if not problems:
        return []
    detail = (
        f"names run {claim.run_id} of {actor.repository}, but GitHub says {'; '.join(problems)}"
    )
    return [(CI_IDENTITY_FORGED, detail)]
