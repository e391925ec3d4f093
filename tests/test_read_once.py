"""Facts read once per command: each pyproject.toml is parsed once (the repository's parse is
the workspace's), and `status` asks git for origin's URL once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.process import Completed, run
from tagship.adapters.project_files import read_pyproject
from tagship.repository import open_package, open_repository
from tagship.steps.status import project_status

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path

    from conftest import MakeRepo

WORKSPACE = {
    "pyproject.toml": '[project]\nname = "root"\nversion = "1.0.0"\n'
    '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
    "packages/a/pyproject.toml": '[project]\nname = "a"\nversion = "1.0.0"\n'
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    "packages/b/pyproject.toml": '[project]\nname = "b"\nversion = "1.0.0"\n'
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
}


def _counting(reads: list[Path]) -> Callable[[Path], str]:
    """A pyproject reader that notes each path it reads."""

    def read(path: Path) -> str:
        reads.append(path)
        return read_pyproject(path)

    return read


def test_a_project_s_pyproject_is_read_once(make_repo: MakeRepo) -> None:
    repo = make_repo()
    reads: list[Path] = []
    read = _counting(reads)
    repository = open_repository(repo.path, read)
    workspace = open_package(repository, None, env={})
    assert workspace.name == "sample-pkg"
    assert reads == [repo.path.resolve() / "pyproject.toml"]


def test_a_member_s_pyproject_is_read_once(make_repo: MakeRepo) -> None:
    repo = make_repo(WORKSPACE)
    reads: list[Path] = []
    read = _counting(reads)
    repository = open_repository(repo.path / "packages" / "a", read)
    workspace = open_package(repository, None, env={})
    assert workspace.name == "a"
    assert sorted(set(reads)) == sorted(reads), reads  # none twice


def test_status_asks_for_origin_once(make_repo: MakeRepo) -> None:
    repo = make_repo()
    calls: list[tuple[str, ...]] = []

    def recording(
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> Completed:
        calls.append(tuple(args))
        return run(args, cwd=cwd, env=env, timeout=timeout, stdin=stdin)

    workspace = open_package(open_repository(repo.path), None, env={}, runner=recording)
    status = project_status(workspace)
    assert status.version == "0.4.22"
    assert sum(1 for c in calls if c[-3:] == ("remote", "get-url", "origin")) == 1
