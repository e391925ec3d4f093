"""What verify-install imports and runs, decided from a wheel's RECORD and the project's
configuration: `[tool.tagship.verify-install]` and `[tool.cibuildwheel]`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tagship.adapters.project_files import load_pyproject
from tagship.core.cibuildwheel_test import CibuildwheelTest, cibuildwheel_test, fill
from tagship.core.config import load_config
from tagship.core.config_view import describe
from tagship.core.errors import ConfigError
from tagship.core.install_config import InstallSettings
from tagship.steps.verify.import_targets import ImportPlan, plan_imports

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.core.config import Config
    from tagship.core.install_config import ImportMode

EXTEND = b"__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n"
RECORD = [
    "app/__init__.py",
    "app/__main__.py",  # importing it runs the program
    "app/templates/page.py",
    "app/tests/__init__.py",
    "app/tests/test_x.py",
    "solo.py",
    "_speedups.cpython-311-x86_64-linux-gnu.so",
    "app.libs/libz-1a2b3c.so.1",  # what auditwheel vendors: not a package
    "zope/__init__.py",  # pkgutil-style namespace
    "zope/interface/__init__.py",
    "google/cloud/storage/__init__.py",  # PEP 420, two levels deep
    "google/cloud/storage/blob.py",
    "google/cloud/_helpers.py",
    "lonely/__init__.py",  # pkgutil-style with nothing under it: it is the package
    "p-1.0.data/purelib/extra_mod.py",
    "p-1.0.dist-info/METADATA",
]


def _read(path: str) -> bytes:
    return EXTEND if path in ("zope/__init__.py", "lonely/__init__.py") else b"X = 1\n"


def _plan(mode: ImportMode = "top-level", *exclude: str) -> ImportPlan:
    return plan_imports(RECORD, InstallSettings(imports=mode, exclude=exclude), _read)


def test_top_level_looks_through_namespaces_to_the_first_real_package() -> None:
    assert _plan() == ImportPlan(
        "top-level",
        imported=(
            "_speedups",
            "app",
            "extra_mod",
            "google.cloud._helpers",
            "google.cloud.storage",
            "lonely",
            "solo",
            "zope.interface",
        ),
        namespaces=("google", "google.cloud", "zope"),
    )


def test_exclude_leaves_out_a_module_and_everything_under_it() -> None:
    plan = _plan("top-level", "google.cloud", "sol?", "nothing.*")
    assert plan.excluded == ("google.cloud", "solo")
    assert "google.cloud.storage" not in plan.imported
    assert plan.unmatched == ("nothing.*",)


def test_all_imports_every_module_but_the_excluded() -> None:
    plan = _plan("all", "app.tests", "app.templates.*")
    assert plan.imported == (
        "_speedups",
        "app",
        "app.templates",
        "extra_mod",
        "google",
        "google.cloud",
        "google.cloud._helpers",
        "google.cloud.storage",
        "google.cloud.storage.blob",
        "lonely",
        "solo",
        "zope",
        "zope.interface",
    )
    assert plan.excluded == ("app.templates.page", "app.tests", "app.tests.test_x")


def test_none_imports_nothing() -> None:
    assert _plan("none") == ImportPlan("none", ())


def _load(tmp_path: Path, tool: str, *overrides: str) -> Config:
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\nversion = "1.0"\n{tool}')
    return load_config(path, load_pyproject(path), overrides=overrides)


def test_the_verify_install_table_and_its_overrides(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        '[tool.tagship.verify-install]\nimport = "all"\nexclude = ["a.tests"]\nsmoke = false\n',
        'verify-install.exclude=["a.tests", "a.templates.*"]',
    )
    assert config.verify_install == InstallSettings(
        "all", ("a.tests", "a.templates.*"), smoke=None, smoke_enabled=False
    )
    rows = {key: (value, source) for key, value, source in describe(config, {})}
    assert rows["verify-install.import"] == ("all", "pyproject")
    assert rows["verify-install.exclude"] == ("a.tests, a.templates.*", "command line")
    assert rows["verify-install.smoke"] == ("false", "pyproject")
    default = {key: value for key, value, _ in describe(_load(tmp_path, ""), {})}
    assert default["verify-install.import"] == "top-level"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('import = "some"', 'must be "top-level" or "all" or "none", got \'some\''),
        ('exclude = "a.*"', "`tool.tagship.verify-install.exclude` in "),
        ("smoke = true", "must be a command or false, got True"),
        ("imports = 'all'", "unknown key `tool.tagship.verify-install.imports`"),
    ],
)
def test_a_wrong_verify_install_value_names_the_key(
    tmp_path: Path, table: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f"[tool.tagship.verify-install]\n{table}\n")
    assert message in caught.value.message


def test_smoke_command_and_its_new_name_are_not_both_set(tmp_path: Path) -> None:
    tool = '[tool.tagship]\nsmoke-command = "a"\n[tool.tagship.verify-install]\nsmoke = "b"\n'
    with pytest.raises(ConfigError, match=r"both `smoke-command` and `verify-install\.smoke`"):
        _load(tmp_path, tool)


def test_cibuildwheel_test_as_cibuildwheel_reads_it() -> None:
    pyproject = {
        "tool": {
            "cibuildwheel": {
                "test-command": ["pytest {project}/tests", "python {package}/x.py"],
                "test-requires": "pytest 'numpy>=2'",
                "test-extras": "a, b",
                "test-groups": ["test"],
                "test-sources": ["tests", "pyproject.toml"],
                "test-skip": "*universal2:arm64 cp3{9,10}-*",
                "linux": {"before-test": ["echo one", "echo two"]},
            }
        },
        "dependency-groups": {
            "Test": ["hypothesis", {"include-group": "base"}],
            "base": ["attrs"],
        },
    }
    test = cibuildwheel_test(pyproject, "linux")
    assert test == CibuildwheelTest(
        "pytest {project}/tests && python {package}/x.py",
        ("pytest", "numpy>=2", "hypothesis", "attrs"),
        ("a", "b"),
        ("tests", "pyproject.toml"),
        "echo one && echo two",
        ("*universal2:arm64", "cp3{9,10}-*"),
    )
    assert test.skips("cp310-manylinux_x86_64")
    assert not test.skips("cp311-manylinux_x86_64")
    assert cibuildwheel_test(pyproject, "macos") is not None
    assert cibuildwheel_test({"tool": {"cibuildwheel": {"build": "cp3*"}}}, "linux") is None
    windows = {"tool": {"cibuildwheel": {"test-command": "a", "windows": {"test-command": ""}}}}
    assert cibuildwheel_test(windows, "windows") is None


def test_cibuildwheel_placeholders() -> None:
    filled = fill("pytest {project}/t #{project} {package} {other}", project="/r", package="/p")
    assert filled == "pytest /r/t {project} /p {other}"


def test_a_dependency_group_that_is_missing_or_includes_itself() -> None:
    base = {"tool": {"cibuildwheel": {"test-command": "x", "test-groups": "g"}}}
    with pytest.raises(ConfigError, match="is not in \\[dependency-groups\\]"):
        cibuildwheel_test(base, "linux")
    looping = {**base, "dependency-groups": {"g": [{"include-group": "g"}]}}
    with pytest.raises(ConfigError, match="includes itself"):
        cibuildwheel_test(looping, "linux")
