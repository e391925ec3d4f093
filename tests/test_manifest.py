"""The manifest's JSON form, and the metadata checks that need no build."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from tagship.core.errors import GateError, IntegrityError
from tagship.core.manifest import MANIFEST_NAME, Manifest, ManifestFile, name_problem
from tagship.steps.build.artifacts import hash_file, load_manifest, write_manifest
from tagship.steps.verify.metadata_check import metadata_problems, render_problem

if TYPE_CHECKING:
    from pathlib import Path

DIGEST = "ab" * 32
MANIFEST = Manifest(
    project="sample-pkg",
    version="0.4.22",
    tag="v0.4.22",
    commit="c" * 40,
    dirty=False,
    source_date_epoch=1_700_000_000,
    builder="uv 0.9.5",
    build_backend="hatchling.build",
    backend_version="hatchling 1.27.0",
    files=(
        ManifestFile("sample_pkg-0.4.22.tar.gz", "sdist", 10, DIGEST, DIGEST),
        ManifestFile("sample_pkg-0.4.22-py3-none-any.whl", "wheel", 20, DIGEST, DIGEST),
    ),
)


def test_round_trip_through_the_file(tmp_path: Path) -> None:
    path = write_manifest(tmp_path, MANIFEST)
    assert path == tmp_path / MANIFEST_NAME
    loaded = load_manifest(tmp_path)
    assert set(loaded.files) == set(MANIFEST.files)
    assert loaded.sdist.kind == "sdist"
    assert [w.name for w in loaded.wheels] == ["sample_pkg-0.4.22-py3-none-any.whl"]
    assert loaded.file("nope") is None
    assert json.loads(path.read_text())["format"] == 1
    assert MANIFEST.to_json() == loaded.to_json()  # files are sorted: stable bytes


@pytest.mark.parametrize(
    "change",
    [
        {"format": 2},
        {"source_date_epoch": "soon"},
        {"dirty": 1},
        {"files": []},
        {"files": [{"name": "x.tar.gz", "kind": "sdist", "size": 1, "sha256": "zz"}]},
        {"files": [{"name": "../x.tar.gz", "kind": "sdist", "size": 1}]},
    ],
)
def test_malformed_manifests(tmp_path: Path, change: dict[str, object]) -> None:
    data = {**json.loads(MANIFEST.to_json()), **change}
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(data))
    with pytest.raises(IntegrityError, match="is malformed"):
        load_manifest(tmp_path)


def test_not_json(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text("{")
    with pytest.raises(IntegrityError):
        load_manifest(tmp_path)


def test_no_manifest(tmp_path: Path) -> None:
    with pytest.raises(GateError, match=r"has no tagship-manifest\.json"):
        load_manifest(tmp_path)


def test_hash_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    digest = hash_file(path)
    assert digest.size == 3
    assert digest.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert digest.blake2b_256.startswith("bddd813c634239723171ef3fee98579b")


@pytest.mark.parametrize(
    ("text", "content_type", "expected"),
    [
        ("# Title\n\n*fine*\n", "text/markdown", None),
        ("# Title\n", "text/markdown; variant=CommonMark", None),
        ("x", "text/markdown; variant=Nope", "unknown Markdown variant 'Nope'"),
        ("Title\n=====\n\nfine\n", None, None),
        ("Title\n=====\n\n`unclosed\n", "text/x-rst", "(reStructuredText) does not render"),
        ("plain", "text/plain", None),
        ("x", "text/html", "content type 'text/html'"),
        ("", "text/markdown", "has no long description"),
        (None, None, "has no long description"),
    ],
)
def test_long_description_rendering(
    text: str | None, content_type: str | None, expected: str | None
) -> None:
    found = render_problem(text, content_type)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert expected in found


def test_metadata_problems() -> None:
    good = b"Metadata-Version: 2.1\nName: Sample.Pkg\nVersion: 0.4.22\nSummary: s\n\nHello\n"
    assert metadata_problems(good, "METADATA", "sample-pkg", Version("0.4.22")) == []
    found = metadata_problems(good, "METADATA", "sample-pkg", Version("1.0"))
    assert found == ["METADATA has version 0.4.22, expected 1.0"]
    no_summary = good.replace(b"Summary: s\n", b"")
    assert metadata_problems(no_summary, "PKG-INFO", "sample-pkg", Version("0.4.22")) == [
        "PKG-INFO has no summary (set [project].description)"
    ]
    broken = metadata_problems(b"Name: x\n", "METADATA", "x", Version("1"))
    assert len(broken) == 1
    assert broken[0].startswith("METADATA is not valid core metadata:")


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("sample_pkg-0.4.22.tar.gz", "sdist", None),
        ("sample_pkg-0.4.22-py3-none-any.whl", "wheel", None),
        ("sample_pkg-0.4.22-1-cp311-cp311-manylinux_2_17_x86_64.whl", "wheel", None),
        ("../outside/x.tar.gz", "sdist", "is not a bare file name"),
        ("/srv/dist/sample_pkg-0.4.22.tar.gz", "sdist", "is not a bare file name"),
        ("..\\sample_pkg-0.4.22.tar.gz", "sdist", "is not a bare file name"),
        ("C:sample_pkg-0.4.22.tar.gz", "sdist", "is not a bare file name"),
        ("sample_pkg-0.4.22.tar.gz\0", "sdist", "is not a bare file name"),
        (".sample_pkg-0.4.22.tar.gz", "sdist", "is not a bare file name"),
        ("..", "sdist", "is not a bare file name"),
        ("sample_pkg-0.4.22\u2024tar.gz", "sdist", "is not a bare file name"),
        ("sample_pkg-0.4.22.zip", "sdist", "is listed as kind 'sdist'"),
        ("sample_pkg-0.4.22.tar.gz", "wheel", "is listed as kind 'wheel'"),
        ("sample_pkg.tar.gz", "sdist", "is not a valid file name"),
        ("Sample.Pkg-0.4.22.tar.gz", "sdist", "the name 'Sample.Pkg' in the file name"),
        ("sample_pkg-0.4.22.0-py3-none-any.whl", "wheel", None),
        ("sample_pkg-v0.4.22-py3-none-any.whl", "wheel", "the version 'v0.4.22'"),
    ],
)
def test_manifest_names_are_bare_normalised_file_names(
    name: str, kind: str, expected: str | None
) -> None:
    found = name_problem(name, kind)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert expected in found


def test_digests_are_read_in_lower_case(tmp_path: Path) -> None:
    data = json.loads(MANIFEST.to_json())
    data["files"][0]["sha256"] = "AB" * 32
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(data))
    assert load_manifest(tmp_path).files[0].sha256 == "ab" * 32


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000, '{"format": 1, "files": ' + "[" * 50_000 + "]" * 50_000 + "}"],
    ids=["array", "files"],
)
def test_json_nested_too_deep_is_malformed(tmp_path: Path, text: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(text)
    with pytest.raises(IntegrityError, match="is malformed"):
        load_manifest(tmp_path)


def test_a_manifest_that_is_not_a_regular_file(tmp_path: Path) -> None:
    write_manifest(tmp_path, MANIFEST)
    (tmp_path / MANIFEST_NAME).rename(tmp_path / "elsewhere.json")
    (tmp_path / MANIFEST_NAME).symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(IntegrityError, match="is not a regular file"):
        load_manifest(tmp_path)
