"""Hostile ledgers: what someone with push access to origin (or to the clone) can do to
`refs/tagship/ledger`, and what every command that reads or appends to it must do: exit 4
with one line naming what is wrong, and nothing changed, neither files nor refs, here or on
origin. The clone holds five records; its own copy never moves onto a chain that lacks one.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from conftest import Repo, git
from hostile import assert_refused, snapshot
from ledger_kit import (
    CI_ENV,
    TRACKING_REF,
    changed_byte,
    extended,
    forge,
    forked,
    git_input,
    head,
    ledger_lines,
    publish_event,
)
from rollback_kit import merge
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import (
    LEDGER_FILE,
    LEDGER_REF,
    Patience,
    append_event,
    ledger_head,
    read_ledger,
)
from tagship.core.errors import IntegrityError
from tagship.core.ledger import anchor_line, verify_chain

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli, MakeRepo

RECORDS = 5


@dataclass(frozen=True)
class Ledgered:
    """A clone and its origin holding the same five records; `commits[n]` is the commit of
    record n + 1 and `merge` a merge commit `rollback revert` could revert."""

    repo: Repo
    lines: list[bytes]
    commits: list[str]
    merge: str


@pytest.fixture(scope="session")
def _templates() -> dict[str, Ledgered]:
    return {}


@pytest.fixture
def ledgered(
    make_repo: MakeRepo,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    _templates: dict[str, Ledgered],
) -> Ledgered:
    """A copy of one clone built once (five appends and a merge), origin included."""
    if "t" not in _templates:
        built = make_repo(name="template")
        sha = merge(built, "one", "one.py", "ONE = 1\n", 1)
        built.push()
        commits = []
        for n in range(RECORDS):
            append_event(Git(built.path), publish_event(f"1.0.{n}"), CI_ENV)
            commits.append(git(built.origin, "rev-parse", LEDGER_REF))
        kept = tmp_path_factory.mktemp("ledgered")
        shutil.copytree(built.path, kept / "work", symlinks=True)
        shutil.copytree(built.origin, kept / "origin.git", symlinks=True)
        kept_repo = Repo(kept / "work", kept / "origin.git")
        _templates["t"] = Ledgered(kept_repo, ledger_lines(built), commits, sha)
    template = _templates["t"]
    repo = Repo(tmp_path / "work", tmp_path / "origin.git")
    shutil.copytree(template.repo.path, repo.path, symlinks=True)
    shutil.copytree(template.repo.origin, repo.origin, symlinks=True)
    git(repo.path, "remote", "set-url", "origin", str(repo.origin))
    return Ledgered(repo, template.lines, template.commits, template.merge)


# -- the attacks ---------------------------------------------------------------------------

Attack = Callable[[Ledgered], None]


def _push(target: Ledgered, obj: str) -> None:
    git(target.repo.path, "push", "--quiet", "--force", "origin", f"{obj}:{LEDGER_REF}")


def _descendant(k: int) -> Attack:
    def attack(t: Ledgered) -> None:
        # a new commit on top of origin's head, so a fast-forward, whose file holds k records
        forge(t.repo, t.lines[:k], parent=t.commits[-1])

    return attack


def _rewound(n: int) -> Attack:
    return lambda t: _push(t, t.commits[n - 1])


def _origin_file(change: Callable[[list[bytes]], list[bytes]], *, newline: bool = True) -> Attack:
    def attack(t: Ledgered) -> None:
        forge(t.repo, change(t.lines), newline=newline)

    return attack


def _spaced(lines: list[bytes], position: int) -> list[bytes]:
    record = json.loads(lines[position - 1])
    spaced = json.dumps(record, sort_keys=True, separators=(", ", ": ")).encode()
    return [*lines[: position - 1], spaced, *lines[position:]]


def _not_utf8(lines: list[bytes], position: int) -> list[bytes]:
    target = lines[position - 1].replace(b'"kind":"publish"', b'"kind":"pub\xfflish"')
    return [*lines[: position - 1], target, *lines[position:]]


def _object(kind: str) -> Attack:
    def attack(t: Ledgered) -> None:
        path = t.repo.path
        text = b"".join(line + b"\n" for line in t.lines)
        blob = git_input(path, text, "hash-object", "-w", "--stdin")
        tree = git_input(path, f"100644 blob {blob}\t{LEDGER_FILE}\n".encode(), "mktree")
        inner = git_input(path, f"040000 tree {tree}\t{LEDGER_FILE}\n".encode(), "mktree")
        link = git_input(path, b"/etc/passwd", "hash-object", "-w", "--stdin")
        linked = git_input(path, f"120000 blob {link}\t{LEDGER_FILE}\n".encode(), "mktree")
        objects = {
            "blob": blob,
            "tree": tree,
            "directory": git(path, "commit-tree", inner, "-m", "a directory"),
            "symlink": git(path, "commit-tree", linked, "-m", "a symlink"),
        }
        _push(t, objects[kind])

    return attack


def _local_copy(change: Callable[[list[bytes]], list[bytes]]) -> Attack:
    def attack(t: Ledgered) -> None:
        g = Git(t.repo.path)
        blob = g.write_blob(b"".join(line + b"\n" for line in change(t.lines)).decode())
        g.update_ref(LEDGER_REF, g.commit_tree(g.write_tree({LEDGER_FILE: blob}), None, "x"))

    return attack


def _local_tree(t: Ledgered) -> None:
    git(t.repo.path, "update-ref", LEDGER_REF, f"{LEDGER_REF}^{{tree}}")


def _anchored_then_deleted(t: Ledgered) -> None:
    message = f"release v1.0.2\n\n{anchor_line(ledger_head(Git(t.repo.path)) or '')}\n"
    git(t.repo.path, "tag", "-a", "v1.0.2", "-m", message)
    git(t.repo.path, "push", "--quiet", "origin", f":{LEDGER_REF}")


def _forged_anchor(t: Ledgered) -> None:
    git(t.repo.path, "tag", "-a", "v9.9.9", "-m", f"release\n\n{anchor_line('e' * 64)}\n")


def _rewound_and_extended(t: Ledgered) -> None:
    # back to record 3, then two new records chained on it: a valid, longer-looking history
    forge(t.repo, forked(t.lines, 4), parent=t.commits[2])


ATTACKS: dict[str, tuple[Attack, str]] = {
    "descendant with 0 records": (_descendant(0), "ends at record 0 while the local copy"),
    "descendant with 1 record": (_descendant(1), "lacks records 2-5, so it was rewound or cut"),
    "descendant with 4 records": (_descendant(4), "ends at record 4 while the local copy"),
    "rewound to record 1": (_rewound(1), "ends at record 1 while the local copy"),
    "rewound to record 3": (_rewound(3), "lacks records 4-5"),
    "rewound to record 4": (_rewound(4), "lacks record 5, so it was rewound or cut"),
    "forked at record 1": (_origin_file(lambda ls: forked(ls, 1)), "at record 1: origin's"),
    "forked at record 3": (_origin_file(lambda ls: forked(ls, 3)), "at record 3: origin's"),
    "forked at record 5": (_origin_file(lambda ls: forked(ls, 5)), "at record 5: origin's"),
    "forked and longer": (_origin_file(lambda ls: forked(ls, 4, 2)), "at record 4: origin's"),
    "forked and shorter": (_origin_file(lambda ls: forked(ls[:3], 2)), "at record 2: origin's"),
    "rewound and extended": (_rewound_and_extended, "differs from the local copy"),
    "byte changed in record 1": (
        _origin_file(lambda ls: changed_byte(ls, 1)),
        "record 1 of refs/tagship/ledger: its hash does not match",
    ),
    "byte changed in record 3": (
        _origin_file(lambda ls: changed_byte(ls, 3)),
        "record 3 of refs/tagship/ledger: its hash does not match",
    ),
    "byte changed in record 5": (
        _origin_file(lambda ls: changed_byte(ls, 5)),
        "record 5 of refs/tagship/ledger: its hash does not match",
    ),
    "records swapped": (
        _origin_file(lambda ls: [ls[0], ls[2], ls[1], *ls[3:]]),
        "record 2 of refs/tagship/ledger",
    ),
    "record repeated": (
        _origin_file(lambda ls: [*ls[:3], ls[2], *ls[3:]]),
        "record 4 of refs/tagship/ledger: its sequence number is 3, expected 4",
    ),
    "record deleted": (
        _origin_file(lambda ls: [*ls[:3], *ls[4:]]),
        "record 4 of refs/tagship/ledger: its sequence number is 5, expected 4",
    ),
    "garbage after the records": (
        _origin_file(lambda ls: [*ls, b"{}"]),
        "record 6 of refs/tagship/ledger: not a format-1 ledger record",
    ),
    "record not canonical": (
        _origin_file(lambda ls: _spaced(ls, 3)),
        "record 3 of refs/tagship/ledger: not in RFC 8785 canonical form",
    ),
    "record not UTF-8": (
        _origin_file(lambda ls: _not_utf8(ls, 2)),
        "record 2 of refs/tagship/ledger: not valid JSON",
    ),
    "blank line": (
        _origin_file(lambda ls: [*ls[:2], b"", *ls[2:]]),
        "record 3 of refs/tagship/ledger: not valid JSON",
    ),
    "carriage return in a record": (
        _origin_file(lambda ls: [*ls[:2], ls[2].replace(b',"seq"', b',\r"seq"'), *ls[3:]]),
        "record 3 of refs/tagship/ledger: not",
    ),
    "no final newline, then garbage": (
        _origin_file(lambda ls: [*ls, b"x"], newline=False),
        "record 6 of refs/tagship/ledger: not valid JSON",
    ),
    "ref is the main branch": (lambda t: _push(t, "main"), "not a tagship ledger"),
    "ref is a tree": (_object("tree"), "not a tagship ledger"),
    "ref is a blob": (_object("blob"), "not a tagship ledger"),
    "ledger.jsonl is a directory": (_object("directory"), "not a tagship ledger"),
    "ledger.jsonl is a symlink": (
        _object("symlink"),
        "record 1 of refs/tagship/ledger: not valid JSON",
    ),
    "local copy changed at record 2": (
        _local_copy(lambda ls: forked(ls, 2)),
        "differs from the local copy",
    ),
    "local copy broken at record 2": (
        _local_copy(lambda ls: changed_byte(ls, 2)),
        "and the local copy is broken at record 2 (its hash does not match its content)",
    ),
    "local copy is a tree": (_local_tree, "not a tagship ledger"),
    "deleted on origin after an anchor": (_anchored_then_deleted, "tag v1.0.2 anchors ledger"),
    "anchor of a head never recorded": (_forged_anchor, "tag v9.9.9 anchors ledger head eeee"),
}


def _refs(path: Path) -> dict[str, str]:
    # the tracking ref is where origin's copy is fetched to: it may move, nothing else
    out = git(path, "for-each-ref", "--format=%(refname) %(objectname)")
    pairs = (line.split(" ") for line in out.splitlines())
    return {name: sha for name, sha in pairs if name != TRACKING_REF}


def _state(target: Ledgered) -> tuple[object, ...]:
    repo = target.repo
    return (snapshot(repo.path), _refs(repo.path), _refs(repo.origin), git(repo.path, "status"))


def _refused(target: Ledgered, cli: Cli, args: tuple[str, ...], expected: str) -> str:
    before = _state(target)
    result = cli("-C", str(target.repo.path), *args)
    error = assert_refused(result, 4)
    assert expected in error, error
    assert _state(target) == before
    return error


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_verify_refuses(ledgered: Ledgered, cli: Cli, name: str) -> None:
    attack, expected = ATTACKS[name]
    attack(ledgered)
    _refused(ledgered, cli, ("ledger", "verify"), expected)


APPENDERS = {
    "show as json": ("ledger", "show", "--format", "json"),
    "rollback revert": ("rollback", "revert", "MERGE", "--push"),
}
# what the refusal of each command names, for a sample of the attacks
SAMPLE = {
    "descendant with 1 record": "lacks records 2-5",
    "rewound to record 3": "lacks records 4-5",
    "forked at record 3": "at record 3: origin's ledger was rewritten or forked",
    "byte changed in record 3": "its hash does not match its content",
    "ref is a tree": "not a tagship ledger",
    "local copy changed at record 2": "differs from the local copy",
}


@pytest.mark.parametrize("command", sorted(APPENDERS))
@pytest.mark.parametrize("name", sorted(SAMPLE))
def test_other_commands_refuse(ledgered: Ledgered, cli: Cli, name: str, command: str) -> None:
    ATTACKS[name][0](ledgered)
    args = tuple(ledgered.merge if a == "MERGE" else a for a in APPENDERS[command])
    _refused(ledgered, cli, args, SAMPLE[name])


def test_the_revert_goes_through_on_an_intact_ledger(ledgered: Ledgered, cli: Cli) -> None:
    # the control for the refusals above: the same command, the ledger untouched
    result = cli("-C", str(ledgered.repo.path), "rollback", "revert", ledgered.merge, "--push")
    assert result.code == 0, result.err
    assert len(ledger_lines(ledgered.repo)) == RECORDS + 1


def test_a_cut_local_copy_follows_origin(ledgered: Ledgered, cli: Cli) -> None:
    # no attack on origin: its chain holds both records of the local copy (only anchors
    # could tell that the clone lost three)
    _local_copy(lambda ls: ls[:2])(ledgered)
    result = cli("-C", str(ledgered.repo.path), "ledger", "verify")
    assert result.code == 0, result.err
    assert head(ledgered.repo.path) == ledgered.commits[-1]


# -- the reproductions, step by step --------------------------------------------------


def _append_refused(target: Ledgered) -> IntegrityError:
    before = _refs(target.repo.origin), head(target.repo.path)
    with pytest.raises(IntegrityError) as caught:
        append_event(Git(target.repo.path), publish_event("2.0.0"), CI_ENV)
    assert (_refs(target.repo.origin), head(target.repo.path)) == before
    return caught.value


def test_a_descendant_holding_fewer_records_is_refused(ledgered: Ledgered, cli: Cli) -> None:
    cut = forge(ledgered.repo, ledgered.lines[:3], parent=ledgered.commits[-1])
    assert git(ledgered.repo.path, "merge-base", "--is-ancestor", ledgered.commits[-1], cut) == ""
    result = cli("-C", str(ledgered.repo.path), "ledger", "verify")
    error = assert_refused(result, 4)
    local = ledgered.commits[-1]
    assert f"origin's refs/tagship/ledger (commit {cut[:12]}) ends at record 3" in error
    assert f"the local copy (commit {local[:12]}) holds 5" in error
    assert "investigate origin's ledger" in error
    assert f"git log -p {TRACKING_REF}" in error
    assert head(ledgered.repo.path) == local  # not moved onto the cut chain
    assert len(read_ledger(Git(ledgered.repo.path), remote=None).records) == RECORDS
    refusal = _append_refused(ledgered)
    assert "ends at record 3" in refusal.message
    assert refusal.hint is not None
    assert "restore origin from it" in refusal.hint
    # following the hint restores origin: the local copy held every record
    git(ledgered.repo.path, "push", "--quiet", "--force", "origin", LEDGER_REF)
    assert cli("-C", str(ledgered.repo.path), "ledger", "verify").code == 0
    record = append_event(Git(ledgered.repo.path), publish_event("2.0.0"), CI_ENV)
    assert record.seq == RECORDS + 1


def test_origin_rewound_to_an_older_commit_is_refused(ledgered: Ledgered, cli: Cli) -> None:
    _push(ledgered, ledgered.commits[1])
    error = assert_refused(cli("-C", str(ledgered.repo.path), "ledger", "verify"), 4)
    assert "ends at record 2 while the local copy" in error
    assert ledgered.commits[1][:12] in error
    assert ledgered.commits[-1][:12] in error
    assert "lacks records 3-5" in _append_refused(ledgered).message


def test_a_fork_of_the_same_length_is_refused(ledgered: Ledgered, cli: Cli) -> None:
    fork = forge(ledgered.repo, forked(ledgered.lines, 4), parent=ledgered.commits[-1])
    assert len(ledger_lines(ledgered.repo)) == RECORDS
    error = assert_refused(cli("-C", str(ledgered.repo.path), "ledger", "verify"), 4)
    assert f"(commit {fork[:12]}) differs from the local copy" in error
    assert "at record 4: origin's ledger was rewritten or forked" in error
    shown = cli("-C", str(ledgered.repo.path), "ledger", "show", "--format", "json")
    assert [r["seq"] for r in json.loads(shown.out)["records"]] == [1, 2, 3]  # the common part
    assert "at record 4" in _append_refused(ledgered).message


def test_a_byte_changed_in_origins_history_is_refused(ledgered: Ledgered, cli: Cli) -> None:
    # the record changed and every later hash recomputed: a chain that verifies on its own
    forge(ledgered.repo, forked(ledgered.lines, 2), parent=ledgered.commits[-1])
    assert verify_chain(ledger_lines(ledgered.repo)).ok
    error = assert_refused(cli("-C", str(ledgered.repo.path), "ledger", "verify"), 4)
    assert "at record 2" in error
    # and changed without recomputing: the chain itself breaks there
    forge(ledgered.repo, changed_byte(ledgered.lines, 2), parent=ledgered.commits[-1])
    error = assert_refused(cli("-C", str(ledgered.repo.path), "ledger", "verify"), 4)
    assert "record 2 of refs/tagship/ledger: its hash does not match" in error
    assert "broken at record 2" in _append_refused(ledgered).message


def test_origin_cut_between_two_tries_is_refused(ledgered: Ledgered) -> None:
    # origin turns the first push away, and while the append waits to retry, is cut
    once = ledgered.repo.origin / "rejected"
    hook = ledgered.repo.origin / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\n[ -e {once} ] && exit 0\n: > {once}\nexit 1\n")
    hook.chmod(0o755)

    def cut(_seconds: float) -> None:
        forge(ledgered.repo, ledgered.lines[:2], parent=ledgered.commits[-1])

    with pytest.raises(IntegrityError, match="ends at record 2 while the local copy"):
        append_event(
            Git(ledgered.repo.path), publish_event("2.0.0"), CI_ENV, patience=Patience(sleep=cut)
        )
    assert head(ledgered.repo.path) == ledgered.commits[-1]
    assert len(ledger_lines(ledgered.repo)) == 2  # nothing was built on the cut chain


def test_a_deleted_origin_ref_is_origin_behind(ledgered: Ledgered, cli: Cli) -> None:
    git(ledgered.repo.path, "push", "--quiet", "origin", f":{LEDGER_REF}")
    result = cli("-C", str(ledgered.repo.path), "ledger", "verify")
    assert result.code == 0, result.err
    assert "ledger ok: 5 records" in result.out
    assert "origin is behind the local copy: it has no ledger, and lacks all 5 records" in (
        result.out
    )
    # the next append pushes the local records first, never starting a second chain
    record = append_event(Git(ledgered.repo.path), publish_event("2.0.0"), CI_ENV)
    assert record.seq == RECORDS + 1
    assert ledger_lines(ledgered.repo)[:RECORDS] == ledgered.lines
    assert "behind" not in cli("-C", str(ledgered.repo.path), "ledger", "verify").out


def test_a_rebuilt_history_holding_every_record_is_followed(ledgered: Ledgered, cli: Cli) -> None:
    # no commit of the old history, but every record byte for byte, and one more
    rebuilt = forge(ledgered.repo, extended(ledgered.lines, 1))
    result = cli("-C", str(ledgered.repo.path), "ledger", "verify")
    assert result.code == 0, result.err
    assert "ledger ok: 6 records" in result.out
    assert head(ledgered.repo.path) == rebuilt


def test_a_broken_local_copy_is_no_copy_to_restore_from(ledgered: Ledgered, cli: Cli) -> None:
    _local_copy(lambda ls: changed_byte(ls, 2))(ledgered)
    error = assert_refused(cli("-C", str(ledgered.repo.path), "ledger", "verify"), 4)
    assert "git push" not in error
    assert f"drop the local copy (git update-ref -d {LEDGER_REF})" in error
    git(ledgered.repo.path, "update-ref", "-d", LEDGER_REF)
    result = cli("-C", str(ledgered.repo.path), "ledger", "verify")
    assert result.code == 0, result.err
    assert head(ledgered.repo.path) == ledgered.commits[-1]


def test_the_anchored_head_is_the_local_copys(ledgered: Ledgered) -> None:
    g = Git(ledgered.repo.path)
    good = ledger_head(g)
    forge(ledgered.repo, ledgered.lines[:2], parent=ledgered.commits[-1])
    assert not read_ledger(g).ok  # origin's cut copy was fetched ...
    assert head(ledgered.repo.path, TRACKING_REF) != ledgered.commits[-1]
    assert ledger_head(g) == good  # ... and is never what a tag anchors
