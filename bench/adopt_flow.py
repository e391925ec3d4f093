"""One real repository adopted as its maintainer would adopt tagship (used by bench/adopt.py).

A clone with its full history and a bare `origin` (whose HEAD names the default branch, as a
real clone's does); `tagship init`, then one hand edit only: the built-in `testpypi` and
`pypi` pointed at two throwaway pypiservers, declared `official = false` (the documented way,
[tool.tagship.indexes.NAME] in pyproject.toml, as the demo's sample does); commit; the next
version (`tagship bump` for a version in a file, `--version` for one from git tags); `tagship
dry-run`, `tagship tag`; `tagship release` in a stand-in for the tag's GitHub Actions job (a
fresh clone at the tag, the job's variables from `tagship.ci.job_variables`); `tagship audit`
of the production index; `tagship doctor`, for the record.

The required checks are GitHub's to report on a real repository; here they are taken as
green (`--set required-checks=[]`, recorded in the ledger as an override) unless
`run_checks` asks to run the inferred commands locally.
"""

from __future__ import annotations

import json
import re
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from adopt_steps import Step, Steps
from tagship.adapters.local_index import running_index
from tagship.ci import job_variables
from tagship.flows.sample import SampleIndex, index_tables

if TYPE_CHECKING:
    from collections.abc import Sequence

INDEXES = ("testpypi", "pypi")
WAIT = ("--wait-timeout", "300")
# a required check init found nothing to run for (its table's command column says why)
_UNANSWERED = re.compile(r"none|skip|not found|could not", re.IGNORECASE)
BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")


@dataclass(frozen=True)
class Target:
    """A repository to adopt: its name (owner/name), its git directory, the commit to try
    (None: the snapshot's HEAD) and, in a repository of several, the package to release."""

    name: str
    git_dir: Path
    commit: str | None = None
    package: str | None = None

    @property
    def slug(self) -> str:
        return self.name.replace("/", "+")


@dataclass(frozen=True)
class Options:
    tagship: tuple[str, ...]  # how to run tagship
    disable_flag: bool  # init offers --disable-old-publishers
    run_checks: bool = False


@dataclass
class Adoption:
    """What one adoption did and left behind, for the checks."""

    target: Target
    base: Path
    steps: Steps = field(default_factory=Steps)
    notes: list[str] = field(default_factory=list)
    commit: str = ""
    branch: str = ""
    init_changed: list[str] = field(default_factory=list)
    init_deletions: list[str] = field(default_factory=list)
    disabled_publishers: bool = False
    bumped: list[str] = field(default_factory=list)
    tags_before: list[str] = field(default_factory=list)
    tag: str | None = None
    config: dict[str, str] = field(default_factory=dict)
    doctor: dict[str, Any] | None = None
    doctor_exit: int | None = None
    adopted_head: str = ""

    @property
    def origin(self) -> Path:
        return self.base / "origin.git"

    @property
    def work(self) -> Path:
        return self.base / "work"

    @property
    def job(self) -> Path:
        return self.base / "job"

    def index_dir(self, name: str) -> Path:
        return self.base / "indexes" / name


def adopt(target: Target, base: Path, options: Options) -> Adoption:
    """Every step, in order, until one fails; the servers stop on any exit."""
    state = Adoption(target, base)
    with ExitStack() as stack:
        servers = {n: stack.enter_context(running_index(state.index_dir(n))) for n in INDEXES}
        flow = _Flow(state, options)
        for step in (
            flow.clone,
            flow.init,
            lambda: flow.point_indexes(
                [SampleIndex(n, s.upload_url, s.simple_url) for n, s in servers.items()]
            ),
            flow.commit,
            flow.release_version,
            flow.dry_run_and_tag,
            flow.release_job,
            flow.audit,
        ):
            if not step() or not state.steps.ok:
                break
        if state.adopted_head:
            flow.doctor()
    return state


@dataclass
class _Flow:
    state: Adoption
    options: Options
    version_flag: tuple[str, ...] = ()

    def _tagship(self, *args: str) -> list[str]:
        package = self.state.target.package
        return [*self.options.tagship, *(["--package", package] if package else []), *args]

    def _timed(self, name: str, start: float, command: str) -> bool:
        self.state.steps.done.append(Step(name, command, 0, "", round(time.monotonic() - start, 1)))
        return True

    def clone(self) -> bool:
        s, start = self.state, time.monotonic()
        steps, base = s.steps, s.base
        base.mkdir(parents=True, exist_ok=True)
        if (
            steps.git(base, "clone", "--quiet", "--bare", str(s.target.git_dir), str(s.origin))
            is None
        ):
            return False
        branch = steps.git(s.origin, "symbolic-ref", "--short", "HEAD")
        if branch is None:
            return False
        s.branch = branch
        wanted = s.target.commit
        if wanted and steps.probe(s.origin, "cat-file", "-e", f"{wanted}^{{commit}}"):
            steps.git(s.origin, "update-ref", f"refs/heads/{branch}", wanted)
        elif wanted:  # a newer or older snapshot: say so, go on
            s.notes.append(f"listed commit {wanted[:12]} is not in the snapshot: its HEAD was used")
        if steps.git(base, "clone", "--quiet", str(s.origin), str(s.work)) is None:
            return False
        _identity(steps, s.work, ("maintainer", "maintainer@adopt.invalid"))
        s.commit = steps.git(s.work, "rev-parse", "HEAD") or ""
        s.tags_before = (steps.git(s.work, "tag", "--sort=-creatordate") or "").split()
        return steps.ok and self._timed("clone", start, f"git clone {s.target.git_dir}")

    def init(self) -> bool:
        s = self.state
        target = s.target
        args = ["init"]
        if "/" in target.name and not target.name.startswith("local/"):
            owner, repo = target.name.split("/", 1)
            args += ["--owner", owner, "--repo", repo]
        if self.options.disable_flag:
            args.append("--disable-old-publishers")
            s.disabled_publishers = True
        done = s.steps.run("init", self._tagship(*args), s.work, env=_unlocked(s.steps.env))
        s.notes.extend(_init_notes(done.stdout + done.stderr))
        status = s.steps.git(s.work, "status", "--porcelain", "-z", step="init") or ""
        s.init_changed = [e[3:] for e in status.split("\0") if e[:2].strip() == "M"]
        for path in s.init_changed:
            numstat = s.steps.git(s.work, "diff", "--numstat", "--", path, step="init") or ""
            deleted = [*numstat.split("\t"), "0", "0"][1]  # added, deleted, path
            if path.endswith("pyproject.toml") and deleted != "0":
                s.init_deletions.append(f"init removed {deleted} line(s) of {path}")
        return done.returncode == 0

    def point_indexes(self, indexes: list[SampleIndex]) -> bool:
        """The one hand edit: testpypi and pypi at the local servers, not official."""
        start = time.monotonic()
        pyproject = self.state.work / "pyproject.toml"
        if not pyproject.is_file():
            self.state.steps.fail("local indexes", "no pyproject.toml at the repository's root")
            return False
        text = pyproject.read_text(encoding="utf-8")
        pyproject.write_text(text.rstrip("\n") + "\n" + index_tables(indexes), encoding="utf-8")
        return self._timed("local indexes", start, "[tool.tagship.indexes.*] appended")

    def commit(self) -> bool:
        s, start = self.state, time.monotonic()
        for args in (
            ("add", "--all"),
            ("commit", "--quiet", "-m", "Adopt tagship"),
            ("push", "--quiet", "origin", s.branch),
        ):
            if s.steps.git(s.work, *args, step="commit") is None:
                return False
        s.adopted_head = s.steps.git(s.work, "rev-parse", "HEAD", step="commit") or ""
        done = s.steps.run(
            "config", self._tagship("config", "--format", "json"), s.work, record=False
        )
        if done.returncode == 0:
            settings = json.loads(done.stdout)["settings"]
            s.config = {e["key"]: str(e["value"]) for e in settings}
        return s.steps.ok and self._timed("commit", start, "git commit; git push")

    def release_version(self) -> bool:
        """The version a maintainer releases next: the project's own when no tag has it yet
        (a .dev version: its release), else the next patch; the first whose tag is free (a
        release tagged on another branch). Bumped in its file, or named with --version when
        the backend computes it from git."""
        s = self.state
        done = s.steps.run("status", self._tagship("status", "--format", "json"), s.work)
        if done.returncode != 0:
            return False
        status = json.loads(done.stdout)
        version = Version(status["version"])
        tagged = bool(status.get("tag_local") or status.get("tag_remote"))
        release = _next(version) if tagged else version.base_version
        release = self._free(release, status["project"])
        # a local part (+g0123abc) is a version computed from git by the backend
        if "git tags" in str(status.get("version_source")) or version.local is not None:
            self.version_flag = ("--version", release)
            s.notes.append(f"version from git: {version} -> --version {release}")
            return True
        if release == str(version):
            return True
        if s.steps.run("bump", self._tagship("bump", release, "--commit"), s.work).returncode:
            return False
        changed = s.steps.git(s.work, "show", "--name-only", "--format=", "HEAD", step="bump")
        s.bumped = (changed or "").split()
        return s.steps.git(s.work, "push", "--quiet", "origin", s.branch, step="bump") is not None

    def _free(self, release: str, project: str) -> str:
        """`release`, or the next patch after it whose tag does not exist yet."""
        s = self.state
        form = s.config.get("tag-format", "v{version}").replace("{name}", project)
        while form.replace("{version}", release) in s.tags_before:
            s.notes.append(f"{release} is tagged already (not in this branch's history)")
            release = _next(Version(release))
        return release

    def _checks(self) -> list[str]:
        if self.options.run_checks:
            return []
        return ["--set", "required-checks=[]"]

    def dry_run_and_tag(self) -> bool:
        s = self.state
        flags = ["--checks", "local", *self.version_flag]
        dry = self._tagship(*self._checks(), "dry-run", *flags, *WAIT)
        if s.steps.run("dry-run", dry, s.work).returncode:
            return False
        if s.steps.run("tag", self._tagship(*self._checks(), "tag", *flags), s.work).returncode:
            return False
        new = set((s.steps.git(s.work, "tag", step="tag") or "").split()) - set(s.tags_before)
        if len(new) != 1:
            s.steps.fail("tag", f"expected one new tag, found {sorted(new) or 'none'}")
            return False
        s.tag = new.pop()
        return True

    def release_job(self) -> bool:
        """publish-pypi.yml's job on the tag: a fresh checkout, the job's variables."""
        s = self.state
        tag = s.tag or ""
        if (
            s.steps.git(s.base, "clone", "--quiet", str(s.origin), str(s.job), step="release")
            is None
        ):
            return False
        if s.steps.git(s.job, "checkout", "--quiet", "--detach", tag, step="release") is None:
            return False
        _identity(s.steps, s.job, BOT)
        sha = s.steps.git(s.job, "rev-parse", "HEAD", step="release") or ""
        repository = s.target.name if "/" in s.target.name else f"local/{s.target.name}"
        job = job_variables(
            repository=repository,
            workflow=s.config.get("indexes.pypi.workflow", "publish-pypi.yml"),
            tag=tag,
            sha=sha,
            environment="pypi",
            actor="maintainer",
        )
        env = {**s.steps.env, **job}
        return (
            s.steps.run("release", self._tagship("release", *WAIT), s.job, env=env).returncode == 0
        )

    def audit(self) -> bool:
        s = self.state
        done = s.steps.run("audit", self._tagship("audit", "--index", "pypi"), s.work)
        return done.returncode == 0

    def doctor(self) -> None:
        s = self.state
        done = s.steps.run(
            "doctor",
            self._tagship("doctor", "--format", "json"),
            s.work,
            env=_unlocked(s.steps.env),
            record=False,
        )
        s.steps.done = [d for d in s.steps.done if d.name != "doctor"]  # advice, not a step
        s.doctor_exit = done.returncode
        try:
            s.doctor = json.loads(done.stdout)
        except ValueError:
            s.notes.append(f"doctor printed no JSON (exit {done.returncode})")


def _identity(steps: Steps, work: Path, who: tuple[str, str]) -> None:
    for key, value in (
        ("user.name", who[0]),
        ("user.email", who[1]),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
    ):
        steps.git(work, "config", key, value)


def _next(version: Version) -> str:
    major, minor, patch = (*version.release, 0, 0)[:3]
    return f"{major}.{minor}.{patch + 1}"


def _unlocked(env: dict[str, str]) -> dict[str, str]:
    """tagship is on no index the bench reaches, so init cannot lock it for the workflows (a
    maintainer sets install-tagship): the lock is left out of what is measured."""
    return {**env, "TAGSHIP_OFFLINE": "1"}


def _init_notes(output: str) -> list[str]:
    """What init says a maintainer should know: checks it could not infer, old publishers."""
    notes = []
    for line in output.splitlines():
        cells = [*line.split("\t"), ""]
        if cells[1].startswith("(") and _UNANSWERED.search(cells[1]):
            notes.append(f"check {cells[0]}: {cells[1]}")
        elif line.startswith("old publisher"):
            notes.append(line)
    return notes


def tagship_command() -> tuple[str, ...]:
    """tagship as installed beside this interpreter."""
    return (sys.executable, "-m", "tagship")


def offers_disable_flag(command: Sequence[str]) -> bool:
    done = Steps().run("help", [*command, "init", "--help"], Path.cwd(), record=False)
    return "--disable-old-publishers" in done.stdout
