"""Version and tag rules (PEP 440), as pure functions."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from packaging.version import InvalidVersion, Version

from tagship.core.errors import ConfigError, GateError, UsageError

if TYPE_CHECKING:
    from tagship.core.version_source import VersionSource

BumpPart = Literal["major", "minor", "patch", "alpha", "beta", "rc", "post", "dev", "release"]
BUMP_PARTS: tuple[BumpPart, ...] = (
    "major", "minor", "patch", "alpha", "beta", "rc", "post", "dev", "release"
)  # fmt: skip
PrePhase = Literal["a", "b", "rc"]
# PEP 440's pre-release phases, in order; the bump parts name them in full
_PHASES: tuple[PrePhase, ...] = ("a", "b", "rc")
_PHASE_OF: dict[str, PrePhase] = {"alpha": "a", "beta": "b", "rc": "rc"}
_PART_OF = {phase: part for part, phase in _PHASE_OF.items()}
_NAMES = {"a": "an alpha", "b": "a beta", "rc": "a release candidate"}
_PLACEHOLDER = "{version}"
# the package's name, in a repository of several packages (replaced before any tag is made)
NAME_PLACEHOLDER = "{name}"
# `@` too (monorepo tags such as `pkg@1.2.3`): git refuses only `@{` and a lone `@`, and a
# version after it starts with a digit
_TAG_CHARS = re.compile(r"[A-Za-z0-9._/+@-]+")
_BUMP_HINT = "bump the version (tagship bump) or tag the commit that carries it"


def parse_version(text: str, *, where: str) -> Version:
    """Parse a PEP 440 version, naming where it came from when it is invalid."""
    try:
        return Version(text.strip())
    except InvalidVersion:
        raise ConfigError(
            f"invalid PEP 440 version {text.strip()!r} in {where}",
            hint="use a version such as 1.2.3, 1.2.3rc1 or 1.2.3.post1",
        ) from None


def validate_tag_format(tag_format: str) -> str:
    """Return the tag format if it holds `{version}` exactly once (and `{name}` at most once)
    and makes tag names git accepts (`git check-ref-format`), else raise."""
    rest = tag_format.replace(_PLACEHOLDER, "").replace(NAME_PLACEHOLDER, "", 1)
    if tag_format.count(_PLACEHOLDER) != 1 or "{" in rest:
        raise ConfigError(
            f"tag-format {tag_format!r} must hold {_PLACEHOLDER} once, {NAME_PLACEHOLDER} at "
            "most once and no other braces",
            hint='for example tag-format = "v{version}"',
        )
    # a normalised version and name start and end with a letter or digit: "0" stands for any
    sample = tag_format.replace(_PLACEHOLDER, "0").replace(NAME_PLACEHOLDER, "0")
    if (
        _TAG_CHARS.fullmatch(sample) is None
        or sample.startswith(("-", "/"))
        or any(bad in sample for bad in ("..", "//", "/.", ".lock/"))
        or sample.endswith((".", "/", ".lock"))
    ):
        raise ConfigError(
            f"tag-format {tag_format!r} makes tag names git rejects",
            hint="outside {version} use only letters, digits and . _ - / + @; do not start with "
            "- or /, nor write .., nor end with . or /",
        )
    return tag_format


def tag_for(version: Version, tag_format: str) -> str:
    """The tag a version is released from: the normalised version in the tag format."""
    return validate_tag_format(tag_format).replace(_PLACEHOLDER, str(version))


def tag_glob(tag_format: str) -> str:
    """A git glob matching every tag of the format (for `git describe --match`, and the
    publish workflow's trigger). A version starts with a digit: a format that starts with
    it (bare `1.2.3` tags) matches only tags that do, not every tag of the repository."""
    validate_tag_format(tag_format)
    if tag_format.startswith(_PLACEHOLDER):
        return "[0-9]*" + tag_format.removeprefix(_PLACEHOLDER)
    return tag_format.replace(_PLACEHOLDER, "*")


def version_from_tag(tag: str, tag_format: str) -> Version:
    """The version a tag names; a tag not in the format or not PEP 440 raises UsageError."""
    prefix, suffix = validate_tag_format(tag_format).split(_PLACEHOLDER)
    tag = tag.removeprefix("refs/tags/")
    match = re.fullmatch(re.escape(prefix) + "(?P<v>.+)" + re.escape(suffix), tag)
    example = tag_for(Version("1.2.3"), tag_format)
    if match is None:
        raise UsageError(
            f"tag {tag!r} is not in the tag format {tag_format!r}",
            hint=f"release tags look like {example}",
        )
    try:
        return Version(match["v"])
    except InvalidVersion:
        raise UsageError(
            f"tag {tag!r} does not carry a valid PEP 440 version",
            hint=f"release tags look like {example}",
        ) from None


def try_version_from_tag(tag: str, tag_format: str) -> Version | None:
    """Like version_from_tag, but None for tags that are not release tags."""
    try:
        return version_from_tag(tag, tag_format)
    except UsageError:
        return None


def same_release(a: Version, b: Version) -> bool:
    """True when two versions are the same release, compared in normalised form.

    Stricter than `==`, which treats 1.0 and 1.0.0 as equal: a tag must name exactly
    the version the artifacts carry.
    """
    return str(a) == str(b)


def heading_for(version: Version) -> Version:
    """The release a version is heading for: a development release's (1.2.0.dev3 -> 1.2.0,
    1.2.0rc1.dev2 -> 1.2.0rc1), without a local part (a version from git tags between
    them); any other version is itself."""
    public = version.public
    return Version(public.rsplit(".dev", 1)[0] if version.dev is not None else public)


def check_tag(
    tag: str, version: Version, tag_format: str, source: VersionSource | None = None
) -> None:
    """Raise GateError unless `tag` is the release tag of `version`.

    `source` (where the version was read) words the message and the hint; None or a static
    `[project].version` keeps the plain "pyproject version" wording.
    """
    tag_version = version_from_tag(tag, tag_format)
    if not same_release(tag_version, version):
        expected = tag_for(version, tag_format)
        if source is None or source.kind == "static":
            found, hint = f"pyproject version {version}", _BUMP_HINT
        elif source.kind == "scm":
            found = f"version {version} from {source.where}"
            hint = f"the version comes from git tags: push {tag} on the commit you release"
        elif source.kind == "backend":
            found = f"version {version} from {source.where}"
            hint = "change the version where the backend reads it, or tag the commit that has it"
        else:
            found, hint = f"version {version} from {source.where}", _BUMP_HINT
        raise GateError(f"tag {tag} does not match {found} (expected tag {expected})", hint=hint)
    if version.local is not None:
        raise GateError(
            f"version {version} has a local part (+{version.local}); package indexes reject it",
            hint="release a version without a '+' segment",
        )


def _release3(version: Version) -> tuple[int, int, int]:
    parts = (*version.release, 0, 0)[:3]
    return parts[0], parts[1], parts[2]


def _same_epoch(current: Version, text: str) -> Version:
    """`text` as a version in `current`'s epoch: a bump never leaves it (2!1.0 -> 2!1.0.1)."""
    return Version(f"{current.epoch}!{text}" if current.epoch else text)


def _pending(current: Version) -> bool:
    """Whether `current` comes before its own release (1.0.0rc1, 1.0.0.dev3): then that
    release is the next one. 1.0.0.post1.dev2 comes after 1.0.0."""
    return current.pre is not None or (current.dev is not None and current.post is None)


def _pre_bump(current: Version, phase: PrePhase) -> Version:
    """alpha, beta or rc: the next pre-release of that phase, never an earlier phase."""
    major, minor, patch = _release3(current)
    base = f"{major}.{minor}.{patch}"
    if current.pre is None:
        if current.is_devrelease and current.post is None:
            return _same_epoch(current, f"{base}{phase}1")  # 1.0.0.dev3 -> 1.0.0a1 is after it
        return _same_epoch(current, f"{major}.{minor}.{patch + 1}{phase}1")
    have, number = current.pre
    if _PHASES.index(have) > _PHASES.index(phase):
        raise UsageError(
            f"{current} is {_NAMES[have]}: {_NAMES[phase]} would go backwards "
            "(PEP 440 orders alpha < beta < rc)",
            hint=f"bump {_PART_OF[have]} or release instead",
        )
    if have != phase:
        return _same_epoch(current, f"{base}{phase}1")
    # 1.0.0rc1.dev2 comes before 1.0.0rc1: its own pre-release is next
    next_number = number if current.is_devrelease and current.post is None else number + 1
    return _same_epoch(current, f"{base}{phase}{next_number}")


def _dev_bump(current: Version) -> Version:
    if current.dev is not None:
        return Version(f"{str(current).rsplit('.dev', 1)[0]}.dev{current.dev + 1}")
    major, minor, patch = _release3(current)
    if current.pre is not None:
        pre = f"{current.pre[0]}{current.pre[1] + 1}"
        return _same_epoch(current, f"{major}.{minor}.{patch}{pre}.dev1")
    return _same_epoch(current, f"{major}.{minor}.{patch + 1}.dev1")


def _post_bump(current: Version) -> Version:
    base = ".".join(str(p) for p in current.release)
    if current.pre is not None:
        raise UsageError(
            f"{current} is a pre-release; a post-release follows a final release",
            hint="bump release first, or rc for the next candidate",
        )
    if current.post is None and current.dev is not None:
        raise UsageError(
            f"{current} is a development release of {base}, which is not released yet: "
            "a post-release follows a final release",
            hint=f"bump release (to {base}) instead",
        )
    if current.post is None:
        return _same_epoch(current, f"{base}.post1")
    # 1.0.0.post1.dev2 comes before 1.0.0.post1: that post-release is next
    return _same_epoch(current, f"{base}.post{current.post + (0 if current.is_devrelease else 1)}")


def _final(current: Version) -> Version:
    """`release`: drop the pre-release and dev parts. A post-release of a final release keeps
    its number (1.0.0.post1.dev2 -> 1.0.0.post1); one of a pre-release does not (1.0.0rc1.post1
    -> 1.0.0)."""
    if current.pre is None and current.dev is None:
        raise UsageError(f"{current} is already a final release", hint="bump major, minor or patch")
    base = ".".join(str(p) for p in current.release)
    keep_post = current.post is not None and current.pre is None
    return _same_epoch(current, f"{base}.post{current.post}" if keep_post else base)


def bump(current: Version, part: BumpPart) -> Version:
    """The next version for a bump part.

    A pre-release bumps to its own final release when the bumped part would be the
    same (1.0.0rc1 --major--> 1.0.0), as poetry and hatch do.
    """
    if part == "release":
        return _final(current)
    if part in _PHASE_OF:
        return _pre_bump(current, _PHASE_OF[part])
    if part == "post":
        return _post_bump(current)
    if part == "dev":
        return _dev_bump(current)
    major, minor, patch = _release3(current)
    pending = _pending(current)
    if part == "major":
        stays = pending and minor == 0 and patch == 0
        return _same_epoch(current, f"{major}.0.0" if stays else f"{major + 1}.0.0")
    if part == "minor":
        stays = pending and patch == 0
        return _same_epoch(current, f"{major}.{minor}.0" if stays else f"{major}.{minor + 1}.0")
    return _same_epoch(current, f"{major}.{minor}.{patch if pending else patch + 1}")


def next_version(current: Version, spec: str) -> Version:
    """Resolve a bump argument (a part name or an explicit version) against `current`."""
    if spec in BUMP_PARTS:
        new = bump(current, spec)
    else:
        try:
            new = Version(spec)
        except InvalidVersion:
            raise UsageError(
                f"{spec!r} is neither a bump part nor a valid PEP 440 version",
                hint=f"use one of {', '.join(BUMP_PARTS)} or a version such as 1.2.3",
            ) from None
    if new.local is not None:
        # check_tag would refuse it at release time: say so before the file changes
        raise UsageError(
            f"version {new} has a local part (+{new.local}); package indexes reject it",
            hint=f"bump to {new.public} instead",
        )
    if new <= current:
        raise UsageError(
            f"version {new} is not after the current version {current}",
            hint="versions only go forward; pick a higher one",
        )
    return new


def scm_version(last_tag_version: Version | None, distance: int, node: str) -> Version:
    """The version setuptools-scm's default scheme (guess-next-dev) derives from git, for
    when the backend cannot be asked; `node` abbreviates the commit id (setuptools-scm cuts
    `g` and the id to 10 characters).

    On the tag itself it is the tag's version; after it, the next patch as a dev release.
    """
    if last_tag_version is not None and distance == 0:
        return last_tag_version
    if last_tag_version is None:
        return Version(f"0.1.dev{distance}+g{node}")
    release = list(last_tag_version.release)
    pre = ""
    if last_tag_version.pre is not None:
        # like setuptools-scm, bump the trailing number: 1.2.3rc1 -> 1.2.3rc2.devN
        pre = f"{last_tag_version.pre[0]}{last_tag_version.pre[1] + 1}"
    else:
        release[-1] += 1
    base = ".".join(str(p) for p in release)
    return Version(f"{base}{pre}.dev{distance}+g{node}")
