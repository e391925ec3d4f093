"""Is a record's CI identity a run its host knows, or only a claim?

Pure: a record claiming a CI host's run must name its repository, run id and attempt, workflow
file, ref and sha, consistent with the record itself (the project's repository, the commit
published, the tag). The caller asks the host for each claimed run and passes the answers in;
`run_problems` compares them with the claim. What differs between hosts (the repository's
form, where pipeline files live, which events may release) is an `IdentityRules` the host
gives (GitHub Actions' is `GITHUB_RULES`, the default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tagship.core.words import plural

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.core.ledger import Actor, Event

# the ledger's actor kind of records made in GitHub Actions (each host names its own)
GITHUB_ACTIONS = "github-actions"
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
class IdentityRules:
    """A CI host's rules for the identity its records claim."""

    host: str  # its name in messages
    # the form of a repository's name (a malformed one never reaches a URL)
    repository: re.Pattern[str] = _CLAIMS[0][2]
    workflows: str = WORKFLOWS  # the folder its pipeline files are in ("": the path as is)
    events: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(_EVENTS))
    # the variables its API token is read from, named when none was set
    tokens: tuple[str, ...] = ("GITHUB_TOKEN", "GH_TOKEN")


GITHUB_RULES = IdentityRules("GitHub")


def _claims(rules: IdentityRules) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    return ((_CLAIMS[0][0], _CLAIMS[0][1], rules.repository), *_CLAIMS[1:])


@dataclass(frozen=True)
class RunClaim:
    """The run a record names: what to ask its host, once per run and environment."""

    repository: str
    run_id: int
    # the environment it published to: the record's, else the audited index's
    environment: str | None = None


@dataclass(frozen=True)
class RunFacts:
    """What the host says about a run (a GitHub workflow run, a GitLab job)."""

    repository: str  # owner/name
    path: str  # .github/workflows/<file>, sometimes followed by @<ref>
    head_sha: str
    head_branch: str | None  # the branch or the tag name
    event: str
    run_attempt: int  # the latest attempt
    # the claimed environment if the run's pipeline deployed to it at head_sha, else empty;
    # None: the host does not say (the run itself is checked, not its deployments)
    deployed: frozenset[str] | None = None


def shown(value: str | None) -> str:
    """A value from a record or a server, safe to print: quoted and cut short unless it is
    short and printable."""
    if value is None:
        return "none"
    if value.isprintable() and len(value) <= _SHOWN:
        return value
    cut = value[:_SHOWN]
    return repr(cut) + ("..." if len(value) > _SHOWN else "")


def claim_problems(
    actor: Actor, event: Event, repository: str | None, rules: IdentityRules = GITHUB_RULES
) -> list[tuple[str, str]]:
    """(kind, detail) for each claim of a CI record that is missing, malformed, or
    inconsistent with the record or with the project's `repository` (when known)."""
    claims = [(name, form, getattr(actor, attr)) for attr, name, form in _claims(rules)]
    missing = [name for name, _, value in claims if not value]
    if missing:
        return [
            (
                CI_IDENTITY_INCOMPLETE,
                f"claims {_run_of(rules)} but names no {', '.join(missing)}",
            )
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


def claimed_run(actor: Actor, environment: str | None = None) -> RunClaim:
    """The run of an actor whose claims passed `claim_problems`, in the environment it
    recorded, else `environment` (a record job deploys nothing: the publish job did)."""
    return RunClaim(
        actor.repository or "", int(actor.run_id or "0"), actor.environment or environment
    )


def _run_of(rules: IdentityRules) -> str:
    return "GitHub Actions" if rules is GITHUB_RULES else f"a {rules.host} run"


def _ref_problem(ref: str, facts: RunFacts, rules: IdentityRules) -> str | None:
    prefix = TAGS if ref.startswith(TAGS) else HEADS
    # the host names the pushed tag or branch without its refs/ prefix
    if facts.head_branch != ref.removeprefix(prefix):
        return f"it ran for {shown(facts.head_branch)}, not {ref}"
    events = rules.events[prefix]
    if facts.event not in events:
        return f"it was triggered by {shown(facts.event)}, not {' or '.join(events)}"
    return None


def run_problems(
    actor: Actor,
    facts: RunFacts | None,
    rules: IdentityRules = GITHUB_RULES,
    environment: str | None = None,
) -> list[str]:
    """What the host says that contradicts the claim (`facts` None: it knows no such run);
    `environment`: the one the run must have deployed to, where the host says."""
    if facts is None:
        return ["there is no such run"]
    found = []
    if facts.repository.lower() != (actor.repository or "").lower():
        found.append(f"it belongs to {shown(facts.repository)}")
    path = facts.path.partition("@")[0]
    # without a folder of its own, a host's record names the pipeline file's base name
    seen = path if rules.workflows else path.rsplit("/", 1)[-1]
    if seen != rules.workflows + (actor.workflow or ""):
        found.append(f"it ran {shown(path)}, not {rules.workflows}{actor.workflow}")
    if facts.head_sha.lower() != actor.sha:
        found.append(f"it ran at {shown(facts.head_sha)}, not {actor.sha}")
    ref = _ref_problem(actor.ref or "", facts, rules)
    if ref is not None:
        found.append(ref)
    if int(actor.run_attempt or "0") > facts.run_attempt:
        found.append(f"it has {plural(facts.run_attempt, 'attempt')}, not {actor.run_attempt}")
    if environment and facts.deployed is not None and environment not in facts.deployed:
        detail = f"its pipeline made no successful deployment to environment {shown(environment)}"
        found.append(detail)
    return found


def identity_problems(
    actor: Actor,
    event: Event,
    repository: str | None,
    runs: Mapping[RunClaim, RunFacts | None] | None,
    rules: IdentityRules = GITHUB_RULES,
    *,
    environment: str | None = None,
) -> list[tuple[str, str]]:
    """(kind, detail) for each problem with a CI record's identity: its claims, then the
    host's answer about its run (`runs` None: the host was not asked); `environment`: the
    audited index's, for a record that names none."""
    claims = claim_problems(actor, event, repository, rules)
    if claims or runs is None:
        return claims
    claim = claimed_run(actor, environment)
    problems = run_problems(actor, runs.get(claim), rules, claim.environment)
    if not problems:
        return []
    detail = (
        f"names run {claim.run_id} of {actor.repository}, but {rules.host} says "
        f"{'; '.join(problems)}"
    )
    return [(CI_IDENTITY_FORGED, detail)]
