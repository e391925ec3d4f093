"""The inferred checks run what the project configures, on sound projects: mypy with no path
when its configuration names `files` (tests/ outside them stay unchecked, as the project's own
run does), and the docs check installs what the project declares for its docs (Read the Docs'
`python.install`, or docs/requirements.txt) -- adoption bugs found on pallets/itsdangerous and
python-humanize/humanize. Real project trees, read by the real adapter; mypy and Sphinx run."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from buildkit import sample_pyproject
from tagship.adapters.project_facts import gather_facts
from tagship.core.config import load_config
from tagship.core.infer_checks import CheckPlan, plan_checks
from tagship.core.pyproject import loads

if TYPE_CHECKING:
    from conftest import Cli, MakeRepo

BASE = sample_pyproject("paths", '"hatchling"', "hatchling.build", "1.0.0", "Check paths")
BIN = Path(sys.executable).parent
SOUND = "def double(x: int) -> int:\n    return 2 * x\n"
UNTYPED_TEST = "def test_double():\n    assert 1 + 1 == 2\n"  # `strict` refuses it


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _plans(root: Path) -> dict[str, CheckPlan]:
    data = loads((root / "pyproject.toml").read_text())
    config = load_config(root / "pyproject.toml", data)
    return {p.name: p for p in plan_checks(config, gather_facts(root, data))}


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """An inferred command as its job runs it, the tool from this environment."""
    words = shlex.split(command)
    return subprocess.run(
        [str(BIN / words[0]), *words[1:]], cwd=cwd, capture_output=True, text=True, check=False
    )


def _typed(root: Path, config: dict[str, str]) -> Path:
    """A sound package in src/ and an untyped test: sound as the project's own mypy run sees it."""
    return _tree(
        root,
        {"src/paths/__init__.py": SOUND, "tests/test_paths.py": UNTYPED_TEST}
        | {"pyproject.toml": BASE}
        | config,
    )


MYPY_FILES = {
    "pyproject": {"pyproject.toml": BASE + '\n[tool.mypy]\nstrict = true\nfiles = ["src"]\n'},
    "mypy.ini": {"mypy.ini": "[mypy]\nstrict = True\nfiles = src\n"},
    "setup.cfg": {
        "setup.cfg": "[flake8]\nmax-line-length = 99\n\n[mypy]\nstrict = True\nfiles = src\n"
    },
}


@pytest.mark.parametrize("config", MYPY_FILES.values(), ids=MYPY_FILES)
def test_mypy_with_configured_files_runs_bare_and_passes(
    tmp_path: Path, config: dict[str, str]
) -> None:
    root = _typed(tmp_path / "project", config)
    plan = _plans(root)["typecheck"]
    assert plan.command == "mypy"
    done = _run(plan.command, root)
    assert done.returncode == 0, done.stdout + done.stderr
    # what init used to infer checks tests/ too, and fails the sound project
    assert _run("mypy .", root).returncode == 1


def test_mypy_without_files_still_gets_a_path(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"pyproject.toml": BASE + "\n[tool.mypy]\nstrict = true\n"})
    assert _plans(root)["typecheck"].command == "mypy ."


def test_mypy_reads_its_own_files_first(tmp_path: Path) -> None:
    """mypy.ini wins over pyproject.toml (mypy's order): its lack of `files` decides."""
    root = _tree(
        tmp_path,
        {
            "pyproject.toml": BASE + '\n[tool.mypy]\nfiles = ["src"]\n',
            "mypy.ini": "[mypy]\nstrict = True\n",
        },
    )
    plan = _plans(root)["typecheck"]
    assert (plan.command, plan.source) == ("mypy .", "inferred from mypy.ini")


def test_a_tox_env_named_mypy_is_no_mypy_configuration(tmp_path: Path) -> None:
    """mypy never reads tox.ini: humanize's [testenv:mypy] is not where its config is."""
    root = _tree(
        tmp_path,
        {
            "pyproject.toml": BASE + "\n[tool.mypy]\nstrict = true\n",
            "tox.ini": "[testenv:mypy]\ncommands = mypy .\n",
        },
    )
    assert _plans(root)["typecheck"].source == "inferred from [tool.mypy] in pyproject.toml"


def test_a_member_checks_its_own_tree_under_the_roots_files(tmp_path: Path) -> None:
    """The root's `files` name the root's folders; a member's job runs in its own directory."""
    root = _tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.mypy]\nfiles = ["packages/*/src"]\n',
            "packages/core/pyproject.toml": BASE,
        },
    )
    member = root / "packages/core"
    data = loads((root / "pyproject.toml").read_text())
    facts = gather_facts(member, loads(BASE), (root / "pyproject.toml", data))
    config = load_config(member / "pyproject.toml", loads(BASE))
    plan = {p.name: p for p in plan_checks(config, facts)}["typecheck"]
    assert plan.command == "mypy ."


def test_pyright_runs_bare_so_its_include_decides(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"pyproject.toml": BASE + '\n[tool.pyright]\ninclude = ["src"]\n'})
    assert _plans(root)["typecheck"].command == "pyright"


def test_docs_install_their_requirements_file(tmp_path: Path) -> None:
    """humanize: mkdocs.yml with a theme and plugins listed in docs/requirements.txt only."""
    root = _tree(
        tmp_path,
        {
            "pyproject.toml": BASE + '\n[project.optional-dependencies]\ntests = ["pytest"]\n',
            "mkdocs.yml": "site_name: paths\ntheme:\n  name: material\n",
            "docs/requirements.txt": "mkdocs==1.6.1\nmkdocs-material\n",
        },
    )
    plans = _plans(root)
    docs = plans["docs-validation"]
    assert docs.command == "mkdocs build --strict"
    # mkdocs is declared there: no second, unpinned one
    assert docs.setup == 'uv pip install --system --editable ".[tests]" -r docs/requirements.txt'
    assert "docs/requirements.txt" not in plans["tests"].setup


def test_docs_follow_read_the_docs_install(tmp_path: Path) -> None:
    """Read the Docs' python.install is what the docs build with there: its files and extras
    (docs/requirements.txt unlisted there is not installed)."""
    root = _tree(
        tmp_path,
        {
            "pyproject.toml": BASE
            + '\n[project.optional-dependencies]\nmanual = ["sphinx", "furo"]\n',
            "docs/conf.py": "project = 'paths'\n",
            "docs/requirements.txt": "unused-theme\n",
            "requirements/rtd.txt": "sphinx-copybutton\n",
            ".readthedocs.yaml": "version: 2\npython:\n  install:\n"
            "    - requirements: requirements/rtd.txt\n"
            "    - method: pip\n      path: .\n      extra_requirements: [manual]\n",
        },
    )
    plans = _plans(root)
    assert plans["docs-validation"].setup == (
        'uv pip install --system --editable ".[manual]" -r requirements/rtd.txt'
    )
    assert plans["lint"].setup == "uv pip install --system --editable ."  # not the docs' extra


def test_a_written_check_setup_stays_the_whole_setup(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "pyproject.toml": BASE + '\n[tool.tagship]\ncheck-setup = "make deps"\n',
            "mkdocs.yml": "site_name: paths\n",
            "docs/requirements.txt": "mkdocs-material\n",
        },
    )
    assert _plans(root)["docs-validation"].setup == "make deps"


def test_the_sphinx_check_passes_with_its_declared_extension(tmp_path: Path) -> None:
    """Sphinx with -W, as the job runs it, on docs whose conf.py names an extension."""
    root = _tree(
        tmp_path,
        {
            "pyproject.toml": BASE,
            "docs/conf.py": "project = 'paths'\nextensions = ['sphinx.ext.autodoc']\n",
            "docs/index.rst": "paths\n=====\n\nA sound project.\n",
            "docs/requirements.txt": "sphinx\n",
        },
    )
    docs = _plans(root)["docs-validation"]
    assert docs.setup.endswith("-r docs/requirements.txt")  # sphinx declared: not added again
    done = _run(docs.command or "", root)
    assert done.returncode == 0, done.stdout + done.stderr


def test_config_shows_the_bare_mypy(cli: Cli, make_repo: MakeRepo) -> None:
    repo = make_repo({"pyproject.toml": MYPY_FILES["pyproject"]["pyproject.toml"]})
    result = cli("-C", str(repo.path), "config", "--format", "json")
    assert result.code == 0, result.err
    rows = {r["key"]: r["value"] for r in json.loads(result.out)["settings"]}
    assert rows["checks.typecheck"] == "mypy"
