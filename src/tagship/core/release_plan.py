"""The release's steps, declared once: the flows run them in this order and `init` writes the
publish workflows' jobs from the same declaration, so `tagship release` and publish-pypi.yml
(or `tagship dry-run` and publish-testpypi.yml) cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tagship.core.config import ReleaseArtifacts

# the names the flows show in their tables; the workflows name their steps the same
GATES = "gates"
BUILD = "build and verify"
TAGGED = "tagged by tagship"
SAME_BYTES = "same bytes as the dry run"
PROMOTE = "promote the dry run's files"
REBUILD_CHECK = "rebuild cross-check"
PREFLIGHT = "preflight"
PUBLISH = "publish"
WAIT = "wait"
VERIFY_INSTALL = "verify-install"
RECORD = "record"
GITHUB_RELEASE = "GitHub Release"
DOCS_LINKS = "docs links"
DOCS_PULL = "docs pull request"

TAG_REF = '"$GITHUB_REF_NAME"'  # the pushed tag, passed to run: through the environment
# the jobs that may not write the repository leave their ledger events here, for the record
# job: the publishing job holds the OIDC token, the verify job runs third-party code
OUTBOX = "outbox"
PUBLISH_OUTBOX = f"{OUTBOX}/publish.jsonl"
VERIFY_OUTBOX = f"{OUTBOX}/verify-install.jsonl"


@dataclass(frozen=True)
class ReleaseStep:
    """One step of a release flow, where the workflow runs it, and the command that does.

    `run` is the command line a workflow job runs for this step alone; None when the step is
    done by the command of a step next to it (a command may finish two steps; `publish`
    runs its preflight first).
    """

    name: str
    job: str
    run: str | None
    would: str


def publish_name(index: str) -> str:
    return f"{PUBLISH} to {index}"


BUILD_STEP = ReleaseStep(BUILD, "build", "tagship build", "build the sdist and wheel, verify them")


def _publish_wait_install(index: str, install_flags: str = "") -> tuple[ReleaseStep, ...]:
    """The steps both flows take once the files are built and verified; their ledger records
    are appended by the record step (the record job), which follows them."""
    return (
        ReleaseStep(PREFLIGHT, "publish", None, f"check the files against {index}'s rules"),
        ReleaseStep(
            publish_name(index),
            "publish",
            f"tagship publish --index {index} --record-to {PUBLISH_OUTBOX}",
            f"upload the files to {index}",
        ),
        ReleaseStep(
            WAIT,
            "verify-install",
            f"tagship wait --index {index} --record-to {VERIFY_OUTBOX}",
            f"poll {index} for the files",
        ),
        ReleaseStep(
            VERIFY_INSTALL,
            "verify-install",
            f"tagship verify-install --index {index}{install_flags} --record-to {VERIFY_OUTBOX}",
            f"install from {index} in a clean virtual environment",
        ),
        ReleaseStep(
            RECORD,
            "record",
            f"tagship record {OUTBOX}",
            "append the records of publish, wait and verify-install to the ledger",
        ),
    )


def dry_run_steps(index: str, branch_gate: str = "") -> tuple[ReleaseStep, ...]:
    """`tagship dry-run`, and the jobs of the test index's publish workflow; `branch_gate`
    is the workflow's check that it runs from a release or hotfix branch."""
    return (
        ReleaseStep(GATES, "gate", branch_gate, "check the release gates"),
        BUILD_STEP,
        *_publish_wait_install(index, " --record-dry-run"),
    )


_TAGGED_WOULD = "require the ledger's tag record and a commit on a release branch"


def _release_files(index: str, artifacts: ReleaseArtifacts) -> tuple[ReleaseStep, ...]:
    """How the release on the tag gets the files it publishes: the dry run's, promoted from
    its test index (and rebuilt only to compare), or rebuilt, which must be the same bytes."""
    if artifacts == "rebuild":
        return (
            BUILD_STEP,
            ReleaseStep(
                TAGGED,
                "build",
                f"tagship verify-artifacts --same-as-dry-run --index {index}",
                _TAGGED_WOULD,
            ),
            ReleaseStep(SAME_BYTES, "build", None, "compare the files with the dry run's hashes"),
        )
    return (
        ReleaseStep(TAGGED, "build", f"tagship promote --index {index}", _TAGGED_WOULD),
        ReleaseStep(
            PROMOTE,
            "build",
            None,
            "fetch the dry run's files from its test index, check every byte, verify them",
        ),
        ReleaseStep(
            REBUILD_CHECK,
            "build",
            "tagship rebuild-check",
            "rebuild the tag and compare it with the promoted files",
        ),
    )


def release_steps(index: str, artifacts: ReleaseArtifacts = "promote") -> tuple[ReleaseStep, ...]:
    """`tagship release`, and the jobs of the production index's publish workflow."""
    return (
        ReleaseStep(GATES, "gate", f"tagship check-tag {TAG_REF}", "check the tag is the version"),
        *_release_files(index, artifacts),
        *_publish_wait_install(index),
        ReleaseStep(
            GITHUB_RELEASE,
            "github-release",
            f"tagship github-release publish {TAG_REF}",
            "publish the draft GitHub Release",
        ),
        ReleaseStep(
            DOCS_LINKS,
            "github-release",
            f"tagship docs-links {TAG_REF}",
            "point the docs at the new release, on a branch of their own",
        ),
        ReleaseStep(DOCS_PULL, "github-release", None, "open a pull request from that branch"),
    )


def jobs_in_order(steps: tuple[ReleaseStep, ...]) -> list[str]:
    """The workflow's jobs, in the order their first step comes in the flow."""
    return list(dict.fromkeys(s.job for s in steps))
