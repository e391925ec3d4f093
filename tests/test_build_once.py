"""A compiled project is compiled once per dry run: the dry run reuses the verified build of
HEAD already in its directory, and the release's rebuild cross-check is left out where the
backend cannot rebuild the same bytes (issue 29, item 2). Compiles are counted by a real C
compiler behind a counting wrapper, not timed."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from buildkit import README_MD, SAMPLES
from compiled_samples import SPECS
from tagship.core.config import Config
from tagship.core.manifest import Manifest, ManifestFile
from tagship.steps.build.rebuild_policy import why_not_rebuilt
from tagship.steps.build.reuse import reusable_build
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo

IGNORED = "dist/\nbuild/\n*.egg-info/\n"


def _counting_compiler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CC: the machine's C compiler, logging one line per C source it compiles."""
    real = shutil.which("cc") or shutil.which("gcc")
    if real is None:
        pytest.skip("no C compiler on PATH")
    log = tmp_path / "compiles.log"
    wrapper = tmp_path / "bin" / "cc-counting"
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        f'for a in "$@"; do case "$a" in *.c) echo "$a" >> "{log}";; esac; done\n'
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("CC", str(wrapper))
    return log


def _compiles(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.mark.integration
def test_a_compiled_release_compiles_once_per_build_it_needs(
    make_repo: MakeRepo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _counting_compiler(tmp_path, monkeypatch)
    sample = SPECS["setuptools-c"].files
    checks = '\n[tool.tagship]\nrequired-checks = ["package-build"]\n'
    pyproject = sample["pyproject.toml"] + checks
    files = {**sample, "pyproject.toml": pyproject, "README.md": README_MD, ".gitignore": IGNORED}
    repo = make_repo(files)

    result = cli("-C", str(repo.path), "rehearse")

    assert result.code == 0, result.out + result.err
    # the dry run's required check ran `tagship build`; its build step took those files
    assert "sample_cext-0.1.0.tar.gz: reused, the build of " in result.out
    # a setuptools sdist is never rebuilt byte for byte: no rebuild for a known verdict
    assert (
        "[skipped] rebuild cross-check: not run: setuptools sdists ignore SOURCE_DATE_EPOCH"
    ) in result.out
    # one compile for the dry run (its check's build, reused by its build step) and one for
    # the tag's locally run package-build check; before: four (the dry run's build and the
    # rebuild cross-check too)
    assert _compiles(log) == 2


def test_the_dry_run_reuses_only_a_clean_build_of_head(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo({**SAMPLES["hatchling"][0], ".gitignore": IGNORED})
    assert cli("-C", str(repo.path), "build").code == 0
    dist = repo.path / "dist"

    def reused() -> bool:
        workspace = open_workspace(repo.path, env=dict(os.environ))
        return reusable_build(workspace, dist) is not None

    assert reused()
    wheel = next(dist.glob("*.whl"))
    kept = wheel.read_bytes()
    wheel.write_bytes(kept + b"\0")  # other bytes than the build hashed
    assert not reused()
    wheel.write_bytes(kept)
    (dist / "extra-0.1.tar.gz").write_bytes(b"")  # a file the build did not make
    assert not reused()
    (dist / "extra-0.1.tar.gz").unlink()
    assert reused()
    repo.write("src/sample_hatch/__init__.py", "X = 2\n")
    repo.commit("a change")  # built from another commit
    assert not reused()


def test_the_cross_check_is_left_out_only_where_it_cannot_be_identical() -> None:
    config = Config(pyproject=Path("pyproject.toml"))
    files = (
        ManifestFile("p-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "wheel", 1, "a", "b"),
        ManifestFile("p-1.0.tar.gz", "sdist", 1, "c", "d"),
    )
    built = Manifest(
        "p", "1.0", "v1.0", "e" * 40, dirty=False, source_date_epoch=0, builder="uv",
        build_backend="hatchling.build", backend_version="h", files=files,
    )  # fmt: skip
    setuptools = replace(built, build_backend="setuptools.build_meta")
    assert why_not_rebuilt(config, built) is None  # hatchling honours SOURCE_DATE_EPOCH
    said = why_not_rebuilt(config, setuptools)
    assert said is not None
    assert said.startswith("not run: setuptools sdists ignore SOURCE_DATE_EPOCH")
    assert why_not_rebuilt(replace(config, rebuild_check=True), setuptools) is None
    strict = replace(config, require_identical_rebuild=True, rebuild_check=False)
    assert why_not_rebuilt(strict, setuptools) is None  # required: it must run
    off = why_not_rebuilt(replace(config, rebuild_check=False), built)
    assert off == "not run (rebuild-check = false)"
