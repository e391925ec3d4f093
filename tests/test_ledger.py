"""The ledger: records, chain, anchors, the git ref, and every kind of tampering."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from conftest import Cli, MakeRepo, git
from ledger_kit import (
    CI_ENV,
    chain,
    changed_byte,
    forge,
    forked,
    ledger_lines,
    publish_event,
    released_repo,
)
from tagship.adapters.git import Git
from tagship.adapters.ledger_store import (
    LEDGER_FILE,
    LEDGER_REF,
    Patience,
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
    from pathlib import Path


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
    forge(repo, [lines[1]])
    with pytest.raises(IntegrityError, match="broken at record 1"):
        append_event(g, publish_event("1.0.2"), CI_ENV)
    assert ledger_lines(repo) == [lines[1]]  # nothing was added on top


class FakeTime:
    """A monotonic clock that only moves when slept on, with the largest jitter drawn."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self.bounds: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def uniform(self, low: float, high: float) -> float:
        assert low == 0
        self.bounds.append(high)
        return high

    def patience(self, seconds: float) -> Patience:
        return Patience(seconds, monotonic=lambda: self.now, sleep=self.sleep, uniform=self.uniform)


def test_append_gives_up_when_its_time_is_up(make_repo: MakeRepo) -> None:
    repo = make_repo()
    # a remote hook that rejects every ledger update stands in for endless contention
    hook = repo.origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho busy >&2\nexit 1\n")
    hook.chmod(0o755)
    fake = FakeTime()
    with pytest.raises(ServiceError, match=r"within 5 s \(7 attempts; last: .*pre-receive"):
        append_event(Git(repo.path), publish_event("1.0.0"), CI_ENV, patience=fake.patience(5))
    # jittered over a doubling backoff capped at 2 s, never sleeping past the deadline
    assert fake.bounds == [0.1, 0.2, 0.4, 0.8, 1.6, 2.0]
    assert fake.slept == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 1.9])
    assert read_ledger(Git(repo.path)).records == ()


def test_append_outlasts_more_rejections_than_any_fixed_count(make_repo: MakeRepo) -> None:
    repo = make_repo()
    # origin turns the first 30 pushes away (the old limit was 12 attempts)
    hook = repo.origin / "hooks" / "pre-receive"
    count = repo.origin / "rejected"
    hook.write_text(
        f"#!/bin/sh\nn=$(cat {count} 2>/dev/null || echo 0)\n"
        f'[ "$n" -ge 30 ] && exit 0\necho $((n + 1)) > {count}\necho busy >&2\nexit 1\n'
    )
    hook.chmod(0o755)
    fake = FakeTime()
    record = append_event(
        Git(repo.path), publish_event("1.0.0"), CI_ENV, patience=fake.patience(60)
    )
    assert record.seq == 1
    assert len(fake.slept) == 30
    assert sum(fake.slept) < 60
    assert len(ledger_lines(repo)) == 1


def test_an_append_on_a_stale_copy_asks_origin_first(make_repo: MakeRepo) -> None:
    repo = make_repo()
    first, second = Git(repo.path), repo.path.parent / "second"
    append_event(first, publish_event("1.0.0"), CI_ENV)
    git(repo.path.parent, "clone", "--quiet", str(repo.origin), str(second))
    assert read_ledger(Git(second)).ok  # the second clone fetched one record ...
    append_event(first, publish_event("1.0.1"), CI_ENV)  # ... which is now stale
    hook = repo.origin / "hooks" / "pre-receive"  # a second push would fail the test
    hook.write_text(
        f"#!/bin/sh\n[ -e {repo.origin / 'pushed'} ] && exit 1\n: > {repo.origin / 'pushed'}\n"
    )
    hook.chmod(0o755)
    fake = FakeTime()
    record = append_event(Git(second), publish_event("1.0.2"), CI_ENV, patience=fake.patience(5))
    assert (record.seq, fake.slept) == (3, [])  # one push, accepted
    assert len(ledger_lines(repo)) == 3


# -- tampering on the ref, seen through `tagship ledger verify` -----------------------------


def test_verify_passes_an_intact_ledger(make_repo: MakeRepo, cli: Cli) -> None:
    repo = released_repo(make_repo)
    assert [a.source for a in anchors(Git(repo.path))] == ["tag v1.0.2"]
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 0, result.err
    assert "ledger ok: 5 records" in result.out
    assert "1 anchor checked" in result.out


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


@pytest.mark.parametrize(
    ("name", "tamper", "expected"),
    [
        ("one byte", lambda ls: changed_byte(ls, 2), "record 2 of refs/tagship/ledger: its hash"),
        ("deleted", lambda ls: [*ls[:1], *ls[2:]], "record 2 of refs/tagship/ledger: its seq"),
        ("swapped", lambda ls: [ls[0], ls[2], ls[1], *ls[3:]], "record 2 of refs/tagship/ledger"),
        # this clone holds the records origin lost or changed
        ("tail cut", lambda ls: ls[:2], "ends at record 2 while the local copy"),
        ("rewritten", lambda ls: forked(ls[:3], 1), "differs from the local copy"),
    ],
)
def test_tampering_is_detected(
    make_repo: MakeRepo, cli: Cli, name: str, tamper: object, expected: str
) -> None:
    repo = released_repo(make_repo)
    assert callable(tamper)
    forge(repo, tamper(ledger_lines(repo)))
    result = cli("-C", str(repo.path), "ledger", "verify")
    assert result.code == 4, f"{name}: {result.out}{result.err}"
    assert expected in result.err
    assert result.err.count("\n") == 1  # one line, no traceback
    shown = cli("-C", str(repo.path), "ledger", "show")
    assert shown.code == 4
    kept = read_ledger(Git(repo.path), remote=None)  # the clone's own copy is untouched
    assert (kept.ok, len(kept.records)) == (True, 5)


@pytest.mark.parametrize(
    "tamper", [lambda ls: ls[:2], lambda ls: forked(ls[:3], 1)], ids=["tail cut", "rewritten"]
)
def test_a_fresh_clone_finds_a_cut_or_a_rewrite_by_its_anchor(
    make_repo: MakeRepo, cli: Cli, tamper: object
) -> None:
    repo = released_repo(make_repo)
    assert callable(tamper)
    forge(repo, tamper(ledger_lines(repo)))
    fresh = repo.path.parent / "fresh"
    git(repo.path.parent, "clone", "--quiet", str(repo.origin), str(fresh))
    assert read_ledger(Git(fresh)).ok  # the chain alone cannot tell
    result = cli("-C", str(fresh), "ledger", "verify")
    assert result.code == 4
    assert "tag v1.0.2 anchors ledger head" in result.err


def test_a_fresh_clone_cannot_see_a_cut_after_the_last_anchor(
    make_repo: MakeRepo, cli: Cli
) -> None:
    # what the README states plainly: without the records, only anchors tell
    repo = released_repo(make_repo)
    forge(repo, ledger_lines(repo)[:3])  # records 4 and 5 came after the anchor of v1.0.2
    fresh = repo.path.parent / "fresh"
    git(repo.path.parent, "clone", "--quiet", str(repo.origin), str(fresh))
    result = cli("-C", str(fresh), "ledger", "verify")
    assert result.code == 0, result.err
    assert "ledger ok: 3 records" in result.out
    assert cli("-C", str(repo.path), "ledger", "verify").code == 4  # the clone that held them


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
    # before the append: the local records are the ledger, and origin is behind
    assert [r.hash for r in read_ledger(g).records] == [r.hash for r in local]
    assert ledger_head(g) == local[-1].hash
    shown = cli("-C", str(repo.path), "ledger", "show", "--format", "json")
    assert shown.code == 0, shown.err
    assert (len(json.loads(shown.out)["records"]), json.loads(shown.out)["unpushed"]) == (5, 5)
    verified = cli("-C", str(repo.path), "ledger", "verify")
    assert verified.code == 0, verified.err
    assert "origin is behind the local copy: it has no ledger, and lacks all 5" in verified.out
    assert "normal before they are first pushed" in verified.out
    record = append_event(g, publish_event("1.0.5"), CI_ENV)
    assert (record.seq, record.prev) == (6, local[-1].hash)
    assert len(ledger_lines(repo)) == 6
    shown = cli("-C", str(repo.path), "ledger", "show", "--format", "json")
    assert shown.code == 0, shown.err
    assert [r["seq"] for r in json.loads(shown.out)["records"]] == [1, 2, 3, 4, 5, 6]
    verified = cli("-C", str(repo.path), "ledger", "verify")
    assert verified.code == 0, verified.err
    assert "behind" not in verified.out


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
    forge(repo, chain(2))  # meanwhile another chain was started on origin
    with pytest.raises(IntegrityError, match=r"differs from the local copy .* at record 1"):
        append_event(g, publish_event("1.0.1"), CI_ENV)
    assert ledger_lines(repo) == chain(2)
