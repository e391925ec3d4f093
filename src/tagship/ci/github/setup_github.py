"""`tagship setup github`: read what the repository has, list the changes that bring it to the
checklist, and make them. Nothing is deleted or loosened: an existing label keeps its colour,
an environment keeps its reviewers and patterns, a ruleset only gains checks; what differs and
is left alone is a note.

The checks are required by a repository ruleset, not classic branch protection: a ruleset is
added beside whatever protects the branch already (classic protection is one object that a
write replaces whole, settings tagship does not know included), and GitHub layers rulesets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tagship.ci.github.settings import Denied
from tagship.ci.github.setup_client import ADMIN, Change, SetupClient, refused
from tagship.ci.github.setup_plan import RULESET_NAME
from tagship.core.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from tagship.ci.github.setup_client import EnvironmentState, Reviewer
    from tagship.ci.github.setup_plan import Checklist, EnvironmentSpec


_CHECKS_RULE = "required_status_checks"


@dataclass(frozen=True)
class SetupPlan:
    """The changes to make, in order, and what differs but is left as it is."""

    repository: str
    changes: tuple[Change, ...]
    notes: tuple[str, ...]


def _environment_body(
    state: EnvironmentState | None, reviewers: tuple[Reviewer, ...], custom: bool
) -> dict[str, Any]:
    """The PUT body: what the environment has, with the reviewers and custom refs it needs
    (a PUT replaces the protection, so every rule it keeps is sent again)."""
    body: dict[str, Any] = {
        "wait_timer": state.wait_timer if state else 0,
        "prevent_self_review": state.prevent_self_review if state else False,
        "reviewers": [{"type": r.type, "id": r.id} for r in reviewers],
    }
    if custom:
        body["deployment_branch_policy"] = {
            "protected_branches": False,
            "custom_branch_policies": True,
        }
    elif state is not None and state.refs == "protected":
        body["deployment_branch_policy"] = {
            "protected_branches": True,
            "custom_branch_policies": False,
        }
    else:
        body["deployment_branch_policy"] = None
    return body


class _Planner:
    def __init__(
        self, client: SetupClient, resolve: Callable[[], Reviewer], repo_path: str
    ) -> None:
        self.client, self._resolve, self.repo = client, resolve, repo_path
        self.changes: list[Change] = []
        self.notes: list[str] = []
        self._reviewer: Reviewer | None = None

    def reviewer(self) -> Reviewer:
        # resolved only when an environment needs one (a GitHub App token has no user)
        if self._reviewer is None:
            self._reviewer = self._resolve()
        return self._reviewer

    def environment(self, spec: EnvironmentSpec) -> None:
        state = self.client.environment(spec.name)
        path = f"{self.repo}/environments/{quote(spec.name, safe='')}"
        wanted = [("tag", t) for t in spec.tags] + [("branch", b) for b in spec.branches]
        reviewers = state.reviewers if state else ()
        adds = []
        if spec.reviewers and not reviewers:
            reviewers = (self.reviewer(),)
            adds.append(f"required reviewer {reviewers[0].name}")
        refs = state.refs if state else None
        if refs == "protected" and wanted:
            self.notes.append(
                f"environment {spec.name} lets protected branches deploy, not the "
                f"{_patterns(wanted)} it needs: left as it is (set it in the environment's "
                "`Deployment branches and tags`)"
            )
        custom = refs is None and bool(wanted)
        if custom:
            adds.append(f"deployments only from {_patterns(wanted)}")
        if state is None or adds:
            verb = "create" if state is None else "update"
            what = f"{verb} environment {spec.name}" + (f": {', '.join(adds)}" if adds else "")
            body = _environment_body(state, reviewers, custom or refs == "custom")
            self.changes.append(Change(what, "PUT", path, body, ADMIN))
        if custom or refs == "custom":
            have = set(state.patterns) if state else set()
            for kind, pattern in wanted:
                if (kind, pattern) not in have:
                    self.changes.append(
                        Change(
                            f"allow {kind} {pattern} to deploy to environment {spec.name}",
                            "POST",
                            f"{path}/deployment-branch-policies",
                            {"name": pattern, "type": kind},
                            ADMIN,
                        )
                    )

    def checks(self, branch: str, checks: tuple[str, ...]) -> None:
        required: set[str] = set()
        for found in (
            self.client.required_status_checks(branch),
            self.client.ruleset_checks(branch),
        ):
            if isinstance(found, Denied):
                raise ServiceError(found.message, hint=found.hint)
            required.update(found or ())
        missing = [c for c in checks if c not in required]
        if not missing:
            return
        own = self.client.own_ruleset(RULESET_NAME)
        said = f"require {', '.join(missing)} on {branch}"
        ref = f"refs/heads/{branch}"
        if own is None:
            body: dict[str, Any] = {
                "name": RULESET_NAME,
                "target": "branch",
                "enforcement": "active",
                "conditions": {"ref_name": {"include": [ref], "exclude": []}},
                "rules": [_checks_rule({}, checks)],
            }
            what = f"create ruleset {RULESET_NAME!r}: {said}"
            self.changes.append(Change(what, "POST", f"{self.repo}/rulesets", body, ADMIN))
            return
        if own.enforcement != "active":
            self.notes.append(
                f"ruleset {RULESET_NAME!r} is {own.enforcement or 'not active'}, so {branch} "
                f"does not require {', '.join(missing)}: left as it is"
            )
            return
        # a ruleset's PUT replaces its rules: every other rule is sent back as it is
        rules = [r for r in own.rules if r.get("type") != _CHECKS_RULE]
        present = next((r for r in own.rules if r.get("type") == _CHECKS_RULE), {})
        body = {"rules": [*rules, _checks_rule(present, checks)]}
        if ref not in own.include:
            body["conditions"] = {"ref_name": {"include": [*own.include, ref], "exclude": []}}
        what = f"update ruleset {RULESET_NAME!r}: {said}"
        self.changes.append(Change(what, "PUT", f"{self.repo}/rulesets/{own.id}", body, ADMIN))

    def labels(self, checklist: Checklist) -> None:
        have = self.client.labels()
        for spec in checklist.labels:
            label = have.get(spec.name)
            if label is None:
                self.changes.append(
                    Change(
                        f"create label {spec.name} (#{spec.color})",
                        "POST",
                        f"{self.repo}/labels",
                        {"name": spec.name, "color": spec.color, "description": spec.description},
                        "issues: write",
                    )
                )
            elif label.color != spec.color:
                self.notes.append(
                    f"label {spec.name} exists with colour #{label.color} (tagship's is "
                    f"#{spec.color}): left as it is"
                )


def _checks_rule(present: Mapping[str, Any], checks: Sequence[str]) -> dict[str, Any]:
    """The required-status-checks rule: `present`'s (its settings and checks kept) with
    `checks` added."""
    parameters = present.get("parameters")
    parameters = dict(parameters) if isinstance(parameters, Mapping) else {}
    listed = parameters.get("required_status_checks")
    kept = [c for c in listed if isinstance(c, Mapping)] if isinstance(listed, list) else []
    have = {c.get("context") for c in kept}
    parameters.setdefault("strict_required_status_checks_policy", False)
    parameters["required_status_checks"] = [
        *kept,
        *({"context": name} for name in checks if name not in have),
    ]
    return {"type": _CHECKS_RULE, "parameters": parameters}


def _patterns(wanted: list[tuple[str, str]]) -> str:
    return ", ".join(f"{kind} {pattern}" for kind, pattern in wanted)


def plan_setup(client: SetupClient, checklist: Checklist, reviewer: str | None) -> SetupPlan:
    """Read the repository and list the changes, in the order they are made: those that need
    the repository's administration first, so a token without it changes nothing."""
    if client.may_administer() is False:
        raise ServiceError(
            f"the token may not administer {client.full_name}: setting up environments and "
            "rulesets needs the administration: write permission (a repository admin)",
            hint="use a token of a repository admin (a fine-grained token with Administration "
            "and Issues: write), or set these up by hand as `tagship init` lists them",
        )
    planner = _Planner(client, lambda: client.reviewer(reviewer), f"/repos/{client.full_name}")
    for spec in checklist.environments:
        planner.environment(spec)
    planner.checks(checklist.branch, checklist.checks)
    planner.labels(checklist)
    return SetupPlan(client.full_name, tuple(planner.changes), tuple(planner.notes))


def apply_setup(
    client: SetupClient, plan: SetupPlan, said: Callable[[Change], None]
) -> tuple[Change, ...]:
    """Make each change in order, calling `said` after each; a refusal stops it, its error
    naming what was made before."""
    done: list[Change] = []
    for change in plan.changes:
        try:
            client.send(change)
        except ServiceError as exc:
            raise refused(done, exc) from None
        done.append(change)
        said(change)
    return tuple(done)
