"""`init` meets a repository where it is: the release branch and tag formats it reads from
git (or is told with --release-branch / --tag-format), each shown with its reason and written
into [tool.tagship], so that later commands and the workflows agree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tagship.ci.github.workflows.config_block import with_keys
from tagship.ci.github.workflows.workflows import GeneratedFile, read_exact
from tagship.core.config import COMMAND_LINE, PYPROJECT, REPOSITORY
from tagship.core.config_values import ref_problem
from tagship.core.errors import UsageError
from tagship.core.names import normalized_name
from tagship.core.packages import SEVERAL_TAG_FORMAT, check_distinct_tags, named_format
from tagship.core.tag_style import as_template
from tagship.core.versions import NAME_PLACEHOLDER, validate_tag_format
from tagship.steps.infer_policy import PackageSpot, infer_release_branch, infer_tag_styles

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from tagship.ci.github.workflows.workflows import InitPlan
    from tagship.core.config import Config
    from tagship.core.packages import Package
    from tagship.workspace import Workspace

BRANCH, TAG_FORMAT = "release-branch", "tag-format"


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--release-branch",
        metavar="BRANCH",
        help="the branch releases come from (default: origin's default branch, else the "
        "current one)",
    )
    parser.add_argument(
        "--tag-format",
        metavar="FORMAT",
        help='the release tags, e.g. "{version}" or "v{version}" (default: the style of the '
        "repository's newest release tags)",
    )


def _flags(args: argparse.Namespace) -> tuple[str | None, str | None]:
    branch, tag_format = args.release_branch, args.tag_format
    problem = ref_problem(branch) if branch is not None else None
    if problem is not None:
        raise UsageError(
            f"--release-branch {branch!r} {problem}", hint="e.g. --release-branch master"
        )
    if tag_format is not None:
        validate_tag_format(tag_format)
    return branch, tag_format


@dataclass(frozen=True)
class Adoption:
    """What init uses for the release branch and each package's tag format (`{name}`
    replaced), the keys it writes into which pyproject.toml, and the lines saying why."""

    release_branch: str | None  # None: each package keeps its own (one sets it apart)
    formats: Mapping[str, str]
    writes: Mapping[Path, Mapping[str, str]]
    lines: tuple[str, ...]

    def config_of(self, name: str, config: Config) -> Config:
        """`config` with the adopted branch and package `name`'s tag format (`name` as the
        publishers spell it: `--project` may rename the one package of a repository)."""
        branch = self.release_branch or config.release_branch
        return replace(config, release_branch=branch, tag_format=self._format_of(name))

    def _format_of(self, name: str) -> str:
        if len(self.formats) == 1:
            return next(iter(self.formats.values()))
        wanted = normalized_name(name)
        found = [f for key, f in self.formats.items() if normalized_name(key) == wanted]
        if len(found) != 1:  # init names only the packages it adopted: a bug if not
            raise LookupError(f"no adopted tag format for package {name!r}")
        return found[0]

    def applied(self, plan: InitPlan, root: Path) -> InitPlan:
        """The plan with the keys written into the pyproject.toml files: the plan's own
        text of a file it writes, else the file as it is."""
        files = list(plan.files)
        for path, keys in self.writes.items():
            relative = path.relative_to(root).as_posix()
            at = next((i for i, f in enumerate(files) if f.path == relative), None)
            text = files[at].text if at is not None else read_exact(path)
            generated = GeneratedFile(relative, with_keys(text, keys))
            if at is None:
                files.append(generated)
            else:
                files[at] = generated
        return replace(plan, files=tuple(files))


def _set_where(config: Config, key: str) -> str | None:
    """Where `key` was set (None: not set, a default)."""
    source = config.sources.get(key)
    if source == PYPROJECT:
        return f"set in {config.pyproject.name}"
    if source == REPOSITORY:
        return "set in the repository's pyproject.toml"
    if source == COMMAND_LINE:
        return "given with --set"
    return None


def _branch(flag: str | None, workspace: Workspace) -> tuple[str, str, bool]:
    """(release branch, the line saying why, whether init writes it)."""
    config = workspace.config
    if flag is not None:
        return flag, "given with --release-branch", True
    where = _set_where(config, BRANCH)
    if where is not None:
        return config.release_branch, where, False
    has_origin = workspace.origin_url is not None
    found = infer_release_branch(workspace.git, config.release_branch, has_origin=has_origin)
    return found.value, found.why, found.value != config.release_branch


def _line(key: str, value: str, why: str, package: str | None = None) -> str:
    of = f" of {package}" if package else ""
    return f'{key}{of} = "{value}": {why}'


def adopt_project(args: argparse.Namespace, workspace: Workspace) -> Adoption:
    """The release branch and tag format of a repository of one package."""
    branch_flag, format_flag = _flags(args)
    config = workspace.config
    branch, branch_why, write_branch = _branch(branch_flag, workspace)
    writes = {BRANCH: branch} if write_branch else {}
    where = _set_where(config, TAG_FORMAT)
    if format_flag is not None:
        tag_format, why = format_flag, "given with --tag-format"
        writes[TAG_FORMAT] = tag_format
    elif where is not None:
        tag_format, why = config.tag_format, where
    else:
        spot = PackageSpot(workspace.name, ".", alone=True)
        found = infer_tag_styles(workspace.git, [spot])
        style = found.styles[workspace.name]
        tag_format = style.tag_format if style else config.tag_format
        why = style.why if style else found.why_default()
        if tag_format != config.tag_format:
            writes[TAG_FORMAT] = tag_format
    lines = (_line(BRANCH, branch, branch_why), _line(TAG_FORMAT, tag_format, why))
    formats = {workspace.name: named_format(tag_format, workspace.name)}
    return Adoption(branch, formats, {config.pyproject: writes} if writes else {}, lines)


def _most_common(templates: Mapping[str, str]) -> str:
    """The tag format most packages' tags follow (a tie: the first package's)."""
    order = list(templates.values())
    counts = Counter(order)
    return max(counts, key=lambda t: (counts[t], -order.index(t)))


def _own_key(package: Package, workspace: Workspace, key: str, *, several: bool) -> bool:
    """Whether a member sets `key` in its own pyproject.toml."""
    source = workspace.config.sources.get(key)
    return several and package.relative != "." and source == PYPROJECT


@dataclass(frozen=True)
class _Choice:
    """A package's tag format (`{name}` may stand for its name), why, and whether its config
    already holds it (nothing to write)."""

    tag_format: str
    why: str
    kept: bool = False


def _inferred(
    members: Sequence[tuple[Package, Workspace]], default: str, *, several: bool
) -> tuple[dict[str, _Choice], str]:
    """Each package's tag format from the repository's tags, and the one the repository
    shares: the root package's, else the one most packages' tags follow."""
    spots = [
        PackageSpot(p.name, p.relative, alone=not several or p.relative == ".") for p, _ in members
    ]
    found = infer_tag_styles(members[0][1].git, spots)
    templates = {n: as_template(s, n) for n, s in found.styles.items() if s is not None}
    at_root = next((p.name for p, _ in members if p.relative == "."), "")
    # a format that spells one package's name can serve no other: only `{name}` ones share
    shareable = {n: t for n, t in templates.items() if NAME_PLACEHOLDER in t or not several}
    shared = templates.get(at_root) or (_most_common(shareable) if shareable else default)
    # a package no tag names follows the shared format when that names its package
    fallback = shared if NAME_PLACEHOLDER in shared or not several else default
    choices = {}
    for name, style in found.styles.items():
        if style is not None:
            choices[name] = _Choice(templates[name], style.why)
        elif fallback == default:
            choices[name] = _Choice(default, found.why_default())
        else:
            choices[name] = _Choice(fallback, f"as the other packages' tags (none names {name})")
    return choices, shared


def adopt_packages(
    args: argparse.Namespace,
    members: Sequence[tuple[Package, Workspace]],
    root: Path,
    *,
    several: bool,
) -> Adoption:
    """The release branch (the repository's) and each package's tag format, in a repository
    of several packages, or of one package in a directory of its own."""
    branch_flag, format_flag = _flags(args)
    first = members[0][1]
    # the repository's policy lives in the root's pyproject.toml (one package apart reads
    # only its own)
    shared_file = root / "pyproject.toml" if several else first.config.pyproject
    apart = [(p, w) for p, w in members if _own_key(p, w, BRANCH, several=several)]
    release_branch: str | None = None
    writes: dict[Path, dict[str, str]] = {}
    if apart:  # a package sets its own: nothing is inferred, and the workflows refuse it
        lines = [
            _line(BRANCH, w.config.release_branch, "set in its pyproject.toml", p.name)
            for p, w in apart
        ]
    else:
        release_branch, branch_why, write_branch = _branch(branch_flag, first)
        writes = {shared_file: {BRANCH: release_branch}} if write_branch else {}
        lines = [_line(BRANCH, release_branch, branch_why)]
    default = SEVERAL_TAG_FORMAT if several else first.config.tag_format
    choices = {
        p.name: _Choice(w.config.tag_format, _set_where(w.config, TAG_FORMAT) or "", kept=True)
        for p, w in members
        if _own_key(p, w, TAG_FORMAT, several=several)
    }
    rest = [(p, w) for p, w in members if p.name not in choices]
    told = next((where for _, w in rest if (where := _set_where(w.config, TAG_FORMAT))), None)
    if format_flag is not None:
        shared = format_flag
        choices.update({p.name: _Choice(shared, "given with --tag-format") for p, _ in rest})
    elif told is not None or not rest:
        shared = default  # the shared file sets it: each package's config holds it already
        choices.update(
            {p.name: _Choice(w.config.tag_format, told or "", kept=True) for p, w in rest}
        )
    else:
        found, shared = _inferred(rest, default, several=several)
        choices.update(found)
    if format_flag is not None or shared != default:
        writes.setdefault(shared_file, {})[TAG_FORMAT] = shared
    formats: dict[str, str] = {}
    for package, workspace in members:
        choice = choices[package.name]
        formats[package.name] = named_format(choice.tag_format, package.name)
        if not choice.kept and choice.tag_format != shared:
            writes.setdefault(workspace.config.pyproject, {})[TAG_FORMAT] = choice.tag_format
        lines.append(_line(TAG_FORMAT, choice.tag_format, choice.why, package.name))
    if several:
        check_distinct_tags(formats)
    return Adoption(release_branch, formats, writes, tuple(lines))
