"""Which steps and jobs of a workflow upload to a package index, by which tool, to which index.

The tools a project's own workflows publish with: pypa/gh-action-pypi-publish, `twine upload`
(also `python -m twine`, `pipx run twine`, `uvx twine`), `uv publish`, `poetry`, `hatch`,
`pdm` or `flit publish`, maturin (`maturin upload`, PyO3/maturin-action), and a command we
cannot read that is handed an index credential (`tox -e release` given TWINE_PASSWORD). The
index is read from the tool's options and variables, as far as the text tells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tagship.ci.github import workflow_model as wm

if TYPE_CHECKING:
    from collections.abc import Mapping

PYPI, TESTPYPI = "pypi", "testpypi"
UNKNOWN = "an index chosen at run time"
# one line of a shell script runs one of these: each names its tool
_RUN_TOOLS = (
    ("twine upload", re.compile(r"\btwine(?:\.exe)?\s+upload\b")),
    ("uv publish", re.compile(r"\buv\s+publish\b")),
    ("poetry publish", re.compile(r"\bpoetry\s+publish\b")),
    ("hatch publish", re.compile(r"\bhatch\s+publish\b")),
    ("pdm publish", re.compile(r"\bpdm\s+publish\b")),
    ("flit publish", re.compile(r"\bflit\s+publish\b")),
    ("maturin upload", re.compile(r"\bmaturin\s+(?:upload|publish)\b")),
)
_ACTIONS = {
    "pypa/gh-action-pypi-publish": "pypa/gh-action-pypi-publish",
    "jrubics/poetry-publish": "JRubics/poetry-publish",
    "casperdcl/deploy-pypi": "casperdcl/deploy-pypi",
}
_MATURIN_ACTION = "pyo3/maturin-action"
# the tools' variables naming a credential, and those naming the index
_CREDENTIAL = re.compile(
    r"^(?:TWINE_PASSWORD|UV_PUBLISH_(?:TOKEN|PASSWORD)|POETRY_PYPI_TOKEN_\w+|"
    r"POETRY_HTTP_BASIC_\w+_PASSWORD|PDM_PUBLISH_PASSWORD|HATCH_INDEX_AUTH|FLIT_PASSWORD|"
    r"MATURIN_(?:PYPI_TOKEN|PASSWORD))$"
)
_PYPI_SECRET = re.compile(r"\bsecrets\.\w*(?:PYPI|TWINE)\w*", re.IGNORECASE)
_INDEX_VARIABLES = (
    "TWINE_REPOSITORY_URL",
    "TWINE_REPOSITORY",
    "UV_PUBLISH_URL",
    "UV_PUBLISH_INDEX",
    "PDM_PUBLISH_REPO",
    "HATCH_INDEX_REPO",
    "FLIT_INDEX_URL",
    "MATURIN_REPOSITORY_URL",
    "MATURIN_REPOSITORY",
)
_INDEX_OPTION = re.compile(
    r"(?:\s-r|--repository-url|--repository|--repo|--publish-url|--index-url|--index)"
    r"(?:\s+|=)(\S+)"
)
_REMOTE_REUSABLE = re.compile(r"^[\w.-]+/[\w.-]+/\.github/workflows/([^@]+)@")
_PUBLISHING_NAME = re.compile(r"publish|pypi|upload", re.IGNORECASE)
_HOST = re.compile(r"^https?://([^/$]+)(?:/|$)")


@dataclass(frozen=True)
class Upload:
    """One upload a job makes: at which step (None: the whole job, a reusable workflow's
    call), by which tool, to which index ("pypi", "testpypi", UNKNOWN, or another's name)."""

    step: int | None
    tool: str
    index: str

    @property
    def races(self) -> bool:
        """Whether it uploads where tagship publishes (or may: an index chosen at run time)."""
        return self.index in (PYPI, TESTPYPI, UNKNOWN)

    def describe(self) -> str:
        return f"{self.tool} -> {self.index}"


def job_uploads(workflow: wm.Workflow, job: Mapping[str, Any]) -> tuple[Upload, ...]:
    """Every upload of the job, in step order (tagship's own `tagship publish` is not one)."""
    env = {**_mapping(workflow.data.get("env")), **_mapping(job.get("env"))}
    called = _reusable_call(job)
    if called is not None:
        return (called,)
    found = []
    for index, step in enumerate(wm.steps(job)):
        upload = _step_upload(step, {**env, **_mapping(step.get("env"))})
        if upload is not None:
            found.append(Upload(index, *upload))
    return tuple(found)


def _step_upload(step: Mapping[str, Any], env: Mapping[str, str]) -> tuple[str, str] | None:
    uses = str(step.get("uses", "")).split("@", 1)[0].lower()
    with_ = _mapping(step.get("with"))
    if uses in _ACTIONS:
        url = with_.get("repository-url") or with_.get("repository_url") or ""
        return _ACTIONS[uses], classify(url) if url else PYPI
    if uses == _MATURIN_ACTION and with_.get("command", "").strip() in ("upload", "publish"):
        return "maturin upload", _index_of(with_.get("args", ""), env)
    run = str(step.get("run", ""))
    for line in run.replace("\\\n", " ").splitlines():
        if "--dry-run" in line:
            continue
        for tool, pattern in _RUN_TOOLS:
            if pattern.search(line):
                return tool, _index_of(line, env)
    given = sorted(k for k, v in env.items() if _CREDENTIAL.match(k) or _PYPI_SECRET.search(v))
    if run.strip() and given:
        command = next(line.strip() for line in run.splitlines() if line.strip())
        short = command if len(command) <= 40 else command[:37] + "..."  # noqa: PLR2004
        return f"`{short}` given {given[0]}", _index_of("", env)
    return None


def _reusable_call(job: Mapping[str, Any]) -> Upload | None:
    """A call of another repository's reusable workflow that publishes, as far as its name
    or the secrets it is handed tell (a local one is read as a workflow of its own)."""
    uses = str(job.get("uses", ""))
    called = _REMOTE_REUSABLE.match(uses)
    if called is None:
        return None
    secrets = job.get("secrets")
    handed = " ".join(f"{k} {v}" for k, v in _mapping(secrets).items())
    if not _PUBLISHING_NAME.search(called.group(1)) and not _PYPI_SECRET.search(handed):
        return None
    with_ = " ".join(f"{k}={v}" for k, v in _mapping(job.get("with")).items())
    index = TESTPYPI if "test" in with_.lower() else PYPI
    return Upload(None, f"reusable workflow {uses.split('@', 1)[0]}", index)


def _index_of(command: str, env: Mapping[str, str]) -> str:
    named = _INDEX_OPTION.search(command)
    if named is not None:
        return classify(named.group(1))
    for variable in _INDEX_VARIABLES:
        if env.get(variable):
            return classify(env[variable])
    return PYPI


def classify(where: str) -> str:
    """An index's URL or name as "pypi", "testpypi", UNKNOWN (an expression or a shell
    variable), or another index's host or name."""
    text = where.strip().strip("'\"")
    host = _HOST.match(text.lower())
    if host is not None:  # an address whose host is written out, whatever its path holds
        text = host.group(1)
    elif "${{" in text or text.startswith("$"):
        return UNKNOWN
    lowered = text.lower()
    if lowered.endswith("test.pypi.org") or lowered in ("testpypi", "test-pypi"):
        return TESTPYPI
    if lowered.endswith("pypi.org") or lowered == "pypi":
        return PYPI
    return text


def _mapping(raw: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
