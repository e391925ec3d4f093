"""The ledger: records, chain, anchors, the git ref, and every kind of tampering."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from conftest import Cli, MakeRepo, Repo, git
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import (
    LEDGER_FILE,
    LEDGER_REF,
    actor_from_env,
    anchors,
    append_event,
    ledger_head,
    read_ledger,
)
from tagship.core.errors import IntegrityError, ServiceError
from tagship.core.ledger import (
    Actor,
    Event,
    FileEntry,
    RecordError,
    anchor_line,
    canonical,
    make_record,
    parse_anchor,
    parse_line,
    split_lines,
    verify_chain,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

CI_ENV = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "CharmAIOS/Charm",
    "GITHUB_WORKFLOW_REF": "CharmAIOS/Charm/.github/workflows/publish-pypi.yml@refs/tags/v1.0.0",
    "GITHUB_RUN_ID": "4242",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_REF": "refs/tags/v1.0.0",
    "GITHUB_SHA": "a" * 40,
    "GITHUB_ACTOR": "maintainer",
    "TAGSHIP_ENVIRONMENT": "pypi",
    # secrets that must never reach a record
    "GITHUB_TOKEN": "ghs_secret_token_value",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-request-secret",
    "TAGSHIP_INDEX_PYPI_TOKEN": "pypi-secret",
}


def publish_event(version: str, commit: str | None = None) -> Event:
    return Event(
        kind="publish",
        project="sample-pkg",
        version=version,
        tag=f"v{version}",
        commit=commit,
        index="pypi",
        files=(FileEntry(f"sample_pkg-{version}.tar.gz", 1234, "ab" * 32),),
    )


def chain(count: int) -> list[bytes]:
    lines: list[bytes] = []
    prev = None
    for seq in range(1, count + 1):
        actor = Actor(kind="local", user="me@example.invalid", host="laptop")
        record = make_record(seq, "2026-01-01T00:00:00Z", prev, publish_event(f"1.0.{seq}"), actor)
        lines.append(record.line())
        prev = record.hash
    return lines


# -- pure: records and the chain -----------------------------------------------------------


def test_record_round_trips_and_is_canonical() -> None:
    line = chain(1)[0]
    record = parse_line(line)
    assert record.line() == line == canonical(json.loads(line))
    assert record.event.files[0].sha256 == "ab" * 32


@pytest.mark.parametrize("position", [1, 2, 3, 4])
def test_every_single_byte_change_is_detected_at_that_record(position: int) -> None:
    lines = chain(4)
    target = lines[position - 1]
    for offset in range(len(target)):
        changed = bytearray(target)
        changed[offset] ^= 0x01
        tampered = [*lines[: position - 1], bytes(changed), *lines[position:]]
        check = verify_chain(tampered)
        assert check.problem is not None, f"change at byte {offset} went unnoticed"
        assert check.problem.position == position
        assert len(check.records) == position - 1


def test_deleted_record_is_detected() -> None:
    lines = chain(5)
    check = verify_chain([*lines[:2], *lines[3:]])
    assert check.problem is not None
    assert check.problem.position == 3
    assert "sequence number is 4, expected 3" in check.problem.message


def test_swapped_records_are_detected() -> None:
    lines = chain(5)
    lines[1], lines[3] = lines[3], lines[1]
    check = verify_chain(lines)
    assert check.problem is not None
    assert check.problem.position == 2


def test_relinked_record_is_detected() -> None:
    # a record whose own hash is right but which points to another predecessor
    lines = chain(3)
    stranger = make_record(
        3, "2026-01-01T00:00:00Z", "0" * 64, publish_event("9.9.9"), Actor(kind="local")
    )
    check = verify_chain([*lines[:2], stranger.line()])
    assert check.problem is not None
    assert "does not link" in check.problem.message


def test_non_canonical_record_is_refused() -> None:
    line = chain(1)[0]
    pretty = json.dumps(json.loads(line), indent=1).encode()
    with pytest.raises(RecordError, match="canonical"):
        parse_line(pretty)


def test_unknown_event_kind_is_refused() -> None:
    with pytest.raises(RecordError, match="unknown event kind"):
        make_record(1, "t", None, Event("deploy", "p", "1"), Actor(kind="local"))
    record = make_record(1, "t", None, Event("rollback-cloud-run", "p", "1"), Actor(kind="local"))
    assert record.event.kind == "rollback-cloud-run"


def test_split_lines_handles_empty_and_trailing_newline() -> None:
    assert split_lines(b"") == []
    assert split_lines(b"a\nb\n") == [b"a", b"b"]
    assert split_lines(b"a\n\n") == [b"a", b""]  # an empty line is a (bad) record


def test_anchor_line_round_trips() -> None:
    head = "f" * 64
    message = f"release v1.0.0\n\n{anchor_line(head)}\n"
    assert parse_anchor(message) == head
    assert parse_anchor("release v1.0.0\n") is None
    assert parse_anchor(f"{anchor_line('0' * 64)}\n{anchor_line(head)}") == head


# -- the actor ---------------------------------------------------------------------------


def test_github_actor_names_the_run_and_no_secret() -> None:
    actor = actor_from_env(CI_ENV)
    assert actor.is_ci
    assert actor.repository == "CharmAIOS/Charm"
    assert actor.workflow == "publish-pypi.yml"
    assert (actor.run_id, actor.run_attempt, actor.environment) == ("4242", "2", "pypi")
    line = make_record(1, "t", None, publish_event("1.0.0"), actor).line().decode()
    for secret in ("ghs_secret_token_value", "oidc-request-secret", "pypi-secret"):
        assert secret not in line


def test_local_actor_is_marked_local(make_repo: MakeRepo) -> None:
    repo = make_repo()
    actor = actor_from_env({}, Git(repo.path))
    assert actor.kind == "local"
    assert not actor.is_ci
    assert actor.user == "maintainer@example.invalid"
    assert actor.host


# -- the git ref -------------------------------------------------------------------------


def test_append_pushes_one_commit_per_record(make_repo: MakeRepo) -> None:
    repo = make_repo()
    g = Git(repo.path)
    first = append_event(g, publish_event("1.0.0"), CI_ENV)
    second = append_event(g, publish_event("1.0.1"), {})
    assert (first.seq, second.seq, second.prev) == (1, 2, first.hash)
    assert git(repo.origin, "rev-list", "--count", LEDGER_REF) == "2"
    stored = git(repo.origin, "show", f"{LEDGER_REF}:{LEDGER_FILE}").encode().split(b"\n")
    assert stored == [first.line(), second.line()]
    assert ledger_head(g) == second.hash
    # a second clone sees the same ledger through origin
    other = repo.path.parent / "other"
    git(repo.path.parent, "clone", "--quiet", str(repo.origin), str(other))
    check = read_ledger(Git(other))
    assert check.ok
    assert [r.hash for r in check.records] == [first.hash, second.hash]


def test_append_without_remote_is_local_only(tmp_path: Path) -> None:
    path = tmp_path / "solo"
    git(tmp_path, "init", "--quiet", str(path))
    record = append_event(Git(path), publish_event("1.0.0"), {})
    assert read_ledger(Git(path)).head == record.hash


def test_append_refuses_a_broken_ledger(make_repo: MakeRepo) -> None:
    repo = make_repo()
    g = Git(repo.path)
    for version in ("1.0.0", "1.0.1"):
        append_event(g, publish_event(version), CI_ENV)
    lines = ledger_lines(repo)
    rewrite_ledger(repo, [lines[1]])
    with pytest.raises(IntegrityError, match="broken at record 1"):
        append_event(g, publish_event("1.0.2"), CI_ENV)
    assert ledger_lines(repo) == [lines[1]]  # nothing was added on top


def test_append_gives_up_after_bounded_attempts(make_repo: MakeRepo) -> None:
    repo = make_repo()
    # a remote hook that rejects every ledger update stands in for endless contention
    hook = repo.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho busy >&2\nexit 1\n")
    hook.chmod(0o755)
    slept: list[float] = []
    with pytest.raises(ServiceError, match="after 3 attempts"):
        append_event(Git(repo.path), publish_event("1.0.0"), CI_ENV, attempts=3, sleep=slept.append)
    assert len(slept) == 3
    assert all(0 <= s <= 2.0 for s in slept)
    assert read_ledger(Git(repo.path)).records == ()


# -- tampering on the ref, seen through `tagship ledger verify` -----------------------------


def ledger_lines(repo: Repo) -> list[bytes]:
    text = git(repo.origin, "show", f"{LEDGER_REF}:{LEDGER_FILE}")
    return text.encode().split(b"\n") if text else []


def rewrite_ledger(repo: Repo, lines: list[bytes]) -> None:
    """Force origin's ledger ref to a fresh commit holding `lines` (what an attacker does)."""
    g = Git(repo.path)
    blob = g.write_blob(b"".join(line + b"\n" for line in lines).decode())
    commit = g.commit_tree(g.write_tree({LEDGER_FILE: blob}), None, "rewritten")
    git(repo.path, "push", "--quiet", "--force", "origin", f"{commit}:{LEDGER_REF}")


def released_repo(make_repo: MakeRepo, env: Mapping[str, str] = CI_ENV) -> Repo:
    """Five records; tag v1.0.2 anchors the head after the third."""
    repo = make_repo()
    g = Git(repo.path)
    for n in range(5):
        append_event(g, publish_event(f"1.0.{n}", repo.commit(f"c{n}")), env)
        if n == 2:
            message = f"release v1.0.2\n\n{anchor_line(ledger_head(g) or '')}\n"
            git(repo.path, "tag", "-a", "v1.0.2", "-m", message)
    return repo


def test_verify_passes_an_intact_ledger(make_repo: MakeRepo, cli: Cli) -> None:
    repo = released_repo(make_repo)
    assert [a.source for a in anchors(Git(repo.path))] == ["tag v1.0.2"]
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 0, result.err
    assert "ledger ok: 5 records" in result.out
    assert "1 anchors checked" in result.out


def test_show_lists_records_as_json(make_repo: MakeRepo, cli: Cli) -> None:
    repo = released_repo(make_repo)
    result = cli("-C", str(repo.path), "ledger", "show", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [r["seq"] for r in data["records"]] == [1, 2, 3, 4, 5]
    assert data["records"][0]["actor"]["workflow"] == "publish-pypi.yml"
    assert data["problem"] is None
    text = cli("-C", str(repo.path), "ledger", "show")
    assert "CharmAIOS/Charm publish-pypi.yml run 4242" in text.out


def test_empty_ledger_verifies(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 0, result.err
    assert "0 records" in result.out


def _changed_byte(lines: list[bytes]) -> list[bytes]:
    target = bytearray(lines[1])
    offset = target.index(b'"version":"1.0.1"') + len(b'"version":"1.0.')
    target[offset] = ord("7")
    return [lines[0], bytes(target), *lines[2:]]


def _rechained(lines: list[bytes]) -> list[bytes]:
    # a consistent chain built from scratch: every hash right, history different
    out: list[bytes] = []
    prev = None
    for seq, line in enumerate(lines[:3], start=1):
        old = parse_line(line)
        event = Event(
            "publish", old.event.project, old.event.version, old.event.tag, "f" * 40,
            old.event.index, old.event.files,
        )  # fmt: skip
        record = make_record(seq, old.time, prev, event, old.actor)
        out.append(record.line())
        prev = record.hash
    return out


@pytest.mark.parametrize(
    ("name", "tamper", "expected"),
    [
        ("one byte", _changed_byte, "record 2 of refs/tagship/ledger: its hash does not match"),
        ("deleted", lambda ls: [*ls[:1], *ls[2:]], "record 2 of refs/tagship/ledger: its seq"),
        ("swapped", lambda ls: [ls[0], ls[2], ls[1], *ls[3:]], "record 2 of refs/tagship/ledger"),
        ("tail cut", lambda ls: ls[:2], "tag v1.0.2 anchors ledger head"),
        ("rewritten", _rechained, "tag v1.0.2 anchors ledger head"),
    ],
)
def test_tampering_is_detected(
    make_repo: MakeRepo, cli: Cli, name: str, tamper: object, expected: str
) -> None:
    repo = released_repo(make_repo)
    assert callable(tamper)
    rewrite_ledger(repo, tamper(ledger_lines(repo)))
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 4, f"{name}: {result.out}{result.err}"
    assert expected in result.err
    assert result.err.count("\n") == 1  # one line, no traceback
    shown = cli("-C", str(repo.path), "ledger", "show")
    assert shown.code == 4
    kept = read_ledger(Git(repo.path), remote=None)  # the clone's own copy is untouched
    assert (kept.ok, len(kept.records)) == (True, 5)


def test_wholesale_rewrite_keeps_a_valid_chain_but_fails_the_anchor(make_repo: MakeRepo) -> None:
    repo = released_repo(make_repo)
    rewrite_ledger(repo, _rechained(ledger_lines(repo)))
    assert read_ledger(Git(repo.path)).ok  # the chain alone cannot tell


def test_not_a_ledger_ref_is_reported(make_repo: MakeRepo, cli: Cli) -> None:
    repo = make_repo()
    git(repo.path, "push", "--quiet", "origin", f"main:{LEDGER_REF}")
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 4
    assert "not a tagship ledger" in result.err


def test_deleted_ledger_ref_fails_the_anchor(make_repo: MakeRepo, cli: Cli) -> None:
    repo = released_repo(make_repo)
    git(repo.path, "push", "--quiet", "origin", f":{LEDGER_REF}")
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 4
    assert "tag v1.0.2 anchors ledger head" in result.err
    # the clone keeps its good copy, and can restore origin from it
    good = read_ledger(Git(repo.path), remote=None)
    assert (good.ok, len(good.records)) == (True, 5)
    git(repo.path, "push", "--quiet", "origin", LEDGER_REF)
    assert cli("-C", str(repo.path), "ledger", "verify").code == 0


def test_local_records_reach_a_new_origin_with_the_next_append(
    make_repo: MakeRepo, cli: Cli
) -> None:
    repo = make_repo()
    git(repo.path, "remote", "remove", "origin")
    g = Git(repo.path)
    local = [append_event(g, publish_event(f"1.0.{n}"), {}) for n in range(5)]
    git(repo.path, "remote", "add", "origin", str(repo.origin))
    # before the append: the local records are the ledger, reported as not on origin
    assert [r.hash for r in read_ledger(g).records] == [r.hash for r in local]
    assert ledger_head(g) == local[-1].hash
    shown = cli("-C", str(repo.path), "ledger", "show", "--format", "json")
    assert shown.code == 4
    assert len(json.loads(shown.out)["records"]) == 5
    assert "the 5 records of the local ref are not on origin" in shown.err
    record = append_event(g, publish_event("1.0.5"), CI_ENV)
    assert (record.seq, record.prev) == (6, local[-1].hash)
    assert len(ledger_lines(repo)) == 6
    shown = cli("-C", str(repo.path), "ledger", "show", "--format", "json")
    assert shown.code == 0, shown.err
    assert [r["seq"] for r in json.loads(shown.out)["records"]] == [1, 2, 3, 4, 5, 6]
    assert cli("-C", str(repo.path), "ledger", "verify").code == 0


def test_a_broken_local_chain_is_not_pushed_to_a_new_origin(make_repo: MakeRepo) -> None:
    repo = make_repo()
    git(repo.path, "remote", "remove", "origin")
    g = Git(repo.path)
    append_event(g, publish_event("1.0.0"), {})
    blob = g.write_blob(b"".join(line + b"\n" for line in chain(3)[1:]).decode())
    g.update_ref(LEDGER_REF, g.commit_tree(g.write_tree({LEDGER_FILE: blob}), None, "cut"))
    git(repo.path, "remote", "add", "origin", str(repo.origin))
    with pytest.raises(IntegrityError, match="broken at record 1"):
        append_event(g, publish_event("1.0.1"), CI_ENV)
    assert git(repo.origin, "for-each-ref", LEDGER_REF) == ""  # nothing reached origin


def test_local_records_missing_on_origin_are_never_dropped(make_repo: MakeRepo) -> None:
    repo = make_repo()
    git(repo.path, "remote", "remove", "origin")
    g = Git(repo.path)
    append_event(g, publish_event("1.0.0"), {})
    git(repo.path, "remote", "add", "origin", str(repo.origin))
    rewrite_ledger(repo, chain(2))  # meanwhile another chain was started on origin
    with pytest.raises(IntegrityError, match="has records that origin's ledger lacks"):
        append_event(g, publish_event("1.0.1"), CI_ENV)
    assert ledger_lines(repo) == chain(2)
