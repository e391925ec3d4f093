"""The CI-host seam: everything specific to the CI system tagship runs in, behind one face.

The rest of tagship (gates, publishing, the ledger, the audit, notes) never reads a CI
variable nor names a host's API: it receives a `CIRun` (tagship/core/ci_run.py), read once per
process by `read_run` below, and talks to the host through what the host package provides.

What a host provides (GitHub Actions is the first, in tagship/ci/github/):
- `environment.py`: `read(env) -> CIRun` (the only module reading the host's variables; its
  `host` is set only inside one of the host's jobs), `CREDENTIAL_VARIABLES` (never passed to
  code tagship does not control, always masked), `TOKEN_USER` (the user a token is sent as).
- `api.py`: the REST client (releases, check runs and statuses, pull-request labels and
  files, repository settings, workflow runs for CI identities), built from the CIRun.
- `claims.py`, `policy.py`, `workflow_model.py`: what its OIDC tokens claim and what PyPI's
  Trusted Publishing matches; the release policy's rules for its pipeline files.
- `workflows/`: the pipeline files `init` writes; `doctor.py`: the settings the policy needs.

GitLab CI/CD is the second host, in tagship/ci/gitlab/: environment.py (GITLAB_CI, CI_* and
the id_tokens variables into a CIRun), api.py (REST v4), claims.py and trusted.py (its
id_tokens as PyPI matches them). Each host's `environment` module joins HOSTS below and names
its CLIENT and TRUSTED modules, its ledger ACTOR_KIND and the audit's IDENTITY rules: the
rest of tagship dispatches through these, never on a host's name.

May import: tagship.core and tagship.adapters (a host's `workflows/` and `doctor.py` also the
workspace). Imported by the steps, flows and CLI above.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from tagship.ci.github import environment as github
from tagship.ci.github.event import read_event
from tagship.ci.gitlab import environment as gitlab

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.core.ci_identity import IdentityRules
    from tagship.core.ci_run import CIRun


class Host(Protocol):
    """What a host's `environment` module provides (a module satisfies this protocol)."""

    @property
    def HOST(self) -> str: ...  # noqa: N802 - a module's constant

    @property
    def PREFIXES(self) -> tuple[str, ...]: ...  # noqa: N802

    @property
    def CREDENTIAL_VARIABLES(self) -> tuple[str, ...]: ...  # noqa: N802

    @property
    def TOKEN_USER(self) -> str: ...  # noqa: N802

    @property
    def CLIENT(self) -> str: ...  # noqa: N802 - the module with from_run, for_repository

    @property
    def TRUSTED(self) -> str: ...  # noqa: N802 - its Trusted Publishing rules

    @property
    def ACTOR_KIND(self) -> str: ...  # noqa: N802 - its records' actor kind in the ledger

    @property
    def IDENTITY(self) -> IdentityRules: ...  # noqa: N802 - the audit's rules for those

    def read(self, env: Mapping[str, str], /) -> CIRun: ...

    def job_variables(
        self,
        *,
        repository: str,
        workflow: str,
        tag: str,
        sha: str,
        environment: str,
        actor: str,
        run_id: str = "1",
    ) -> dict[str, str]: ...


# each host's reader; the first whose job this is wins, else the first whose API token was
# set by hand, else the first
HOSTS: tuple[Host, ...] = (github, gitlab)
# the payload of the event the job handles (None outside a job)
event_payload = read_event
CREDENTIAL_VARIABLES = frozenset(name for host in HOSTS for name in host.CREDENTIAL_VARIABLES)
TOKEN_USERS = {host.HOST: host.TOKEN_USER for host in HOSTS}
# the actor kind each host's records carry, and the audit's identity rules for each kind
ACTOR_KINDS = {host.HOST: host.ACTOR_KIND for host in HOSTS}
IDENTITY_RULES = {host.ACTOR_KIND: host.IDENTITY for host in HOSTS}
# what a host's job sets: the demo keeps the caller's own CI out of its stand-in jobs
HOST_PREFIXES = tuple(prefix for host in HOSTS for prefix in host.PREFIXES)
# the variables of a stand-in job on a tag (the demo's release), as the first host sets them
job_variables = HOSTS[0].job_variables


def host_title(ci: CIRun) -> str:
    """The run's host as messages name it (GitHub, GitLab): its job's, else its token's."""
    return title_of(ci.host or ci.api_host)


def title_of(name: str | None) -> str:
    """The host named `name` (github, gitlab) as messages name it; the first when unknown."""
    return next((h for h in HOSTS if name == h.HOST), HOSTS[0]).IDENTITY.host


def read_run(env: Mapping[str, str]) -> CIRun:
    """The run `env` describes: a host's job, or any CI service (CI set: plain logs)."""
    runs = [host.read(env) for host in HOSTS]
    run = next((found for found in runs if found.host is not None), None)
    run = run or next((found for found in runs if found.api_host is not None), runs[0])
    return run if run.in_ci or not env.get("CI") else replace(run, in_ci=True)
