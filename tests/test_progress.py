"""Progress of the long steps: the bytes of an upload to a real index, what a wait still
waits for, and how both show in a pipe (occasional plain lines, no escape codes)."""

from __future__ import annotations

import io
import os
import secrets
from typing import TYPE_CHECKING

import pytest
from rich.console import Console
from rich.progress import Progress as RichProgress

from releases import make_release, write_release
from servers import PypiServer, running_pypiserver
from tagship.adapters.http import Http, RetryPolicy
from tagship.adapters.index import SimpleIndex
from tagship.cli.progress_view import LiveView, PlainLines
from tagship.core.polling import PollTimeoutError
from tagship.core.progress import Event, Phase, Transfer, Waiting
from tagship.steps.build.artifacts import load_manifest
from tagship.steps.publish.publish import publish
from tagship.steps.publish.wait import wait_visible
from tagship.steps.verify.verify import Expected
from tagship.workspace import open_workspace

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import Cli, MakeRepo

ESCAPE = "\x1b"


@pytest.fixture
def index(tmp_path: Path) -> Iterator[PypiServer]:
    with running_pypiserver(tmp_path / "packages") as server:
        yield server


def _big_release(make_repo: MakeRepo, index: PypiServer) -> tuple[Path, Expected]:
    # incompressible payload: the wheel is several of httpx's 64 KiB chunks
    payload = f"DATA = {secrets.token_hex(200_000)!r}\n"
    release = make_release(make_repo, index.upload_url, index.simple_url)
    write_release(release.dist, "pub-pkg", "1.0.0", payload=payload)  # the same names, bigger
    workspace = open_workspace(release.repo.path, env=dict(os.environ))
    return release.repo.path, Expected("pub-pkg", workspace.version())


@pytest.mark.integration
def test_an_upload_to_a_real_index_reports_bytes_up_to_each_file_size(
    index: PypiServer, make_repo: MakeRepo
) -> None:
    root, expected = _big_release(make_repo, index)
    workspace = open_workspace(root, env=dict(os.environ))
    config = workspace.config.index("local")
    manifest = load_manifest(root / "dist")
    events: list[Event] = []
    with Http(RetryPolicy(attempts=1)) as http:
        result = publish(
            manifest,
            root / "dist",
            config,
            expected=expected,
            ci=workspace.ci,
            http=http,
            lookup=SimpleIndex(config.simple_url, http),
            auth=None,
            progress=events.append,
        )
    assert result.uploaded == len(manifest.files)
    for entry in manifest.files:
        sent = [e for e in events if isinstance(e, Transfer) and e.name == entry.name]
        assert {e.total for e in sent} == {entry.size}
        amounts = [e.sent for e in sent]
        assert amounts == sorted(amounts)
        assert amounts[-1] == entry.size  # ends at the file's size, as the index got it
    wheel = manifest.wheels[0]
    assert len([e for e in events if isinstance(e, Transfer) and e.name == wheel.name]) > 3
    assert {p.name for p in index.directory.iterdir()} == {f.name for f in manifest.files}


@pytest.mark.integration
def test_publish_in_a_pipe_shows_a_few_plain_lines_per_file(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    root, _ = _big_release(make_repo, index)
    result = cli("-C", str(root), "publish", "--to", "local")
    assert result.code == 0, result.err
    assert ESCAPE not in result.err + result.out
    uploading = [ln for ln in result.err.splitlines() if ln.startswith("tagship: uploading ")]
    for name in {p.name for p in index.directory.iterdir()}:
        lines = [ln for ln in uploading if f" {name}: " in ln]
        # a line at the first chunk and at each quarter, never one per 64 KiB chunk
        assert 2 <= len(lines) <= 5, lines
        assert lines[-1].endswith("(100 %)")


@pytest.mark.integration
def test_a_wait_on_a_real_index_says_what_is_pending_and_for_how_long(
    index: PypiServer, make_repo: MakeRepo, cli: Cli
) -> None:
    release = make_release(make_repo, index.upload_url, index.simple_url)
    events: list[Event] = []
    with Http(RetryPolicy(attempts=1)) as http:
        lookup = SimpleIndex(index.simple_url, http)
        with pytest.raises(PollTimeoutError):
            wait_visible(release.manifest, lookup, "local", timeout=1.5, progress=events.append)
    waits = [e for e in events if isinstance(e, Waiting)]
    assert waits
    for event in waits:
        assert all(f.name in event.what for f in release.manifest.files)
        assert (event.timeout, 0 <= event.elapsed <= 1.5) == (1.5, True)
    assert [e.polls for e in waits] == list(range(1, len(waits) + 1))

    result = cli("-C", str(release.repo.path), "wait", "--index", "local", "--timeout", "1.5")
    assert result.code == 3
    assert ESCAPE not in result.err + result.out
    shown = [ln for ln in result.err.splitlines() if ln.startswith("tagship: waiting: ")]
    assert shown[0] == (
        f"tagship: waiting: local still does not show {release.manifest.files[0].name}, "
        f"{release.manifest.files[1].name} (0 s of 1 s)"
    )
    assert result.err.splitlines()[-1].startswith("tagship: error: timed out after 1.5 s")


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_are_throttled() -> None:
    out = io.StringIO()
    clock = _Clock()
    lines = PlainLines(out.write, clock=clock)
    lines("building pub-pkg 1.0.0 with uv")
    for sent in range(0, 1_000_001, 10_000):  # 101 chunks
        lines(Transfer("pub.whl", sent, 1_000_000))
    for second in range(60):
        clock.now = float(second)
        lines(Waiting("local still does not show pub.whl", second, 600, second + 1))
    shown = out.getvalue().splitlines()
    assert shown[0] == "tagship: building pub-pkg 1.0.0 with uv"
    # the first chunk, then each quarter: not the rewind before it, not every chunk
    assert [ln.rsplit("(", 1)[1] for ln in shown[1:6]] == [
        "1 %)",
        "25 %)",
        "50 %)",
        "75 %)",
        "100 %)",
    ]
    assert shown[1] == "tagship: uploading pub.whl: 10.0 kB of 1.0 MB (1 %)"
    waits = shown[6:]
    assert waits == [
        f"tagship: waiting: local still does not show pub.whl ({s} s of 10 m 00 s)"
        for s in (0, 10, 20, 30, 40, 50)
    ]
    # a new state of the wait shows at once
    lines(Waiting("local still does not show pub.tar.gz", 59.5, 600, 61))
    assert out.getvalue().splitlines()[-1].startswith("tagship: waiting: local still does not")


def test_a_long_silent_phase_says_it_is_still_running() -> None:
    out = io.StringIO()
    clock = _Clock()
    lines = PlainLines(out.write, clock=clock)
    lines.heartbeat()  # nothing runs yet: nothing to say
    lines(Phase("building the wheel from pub-pkg-1.0.0.tar.gz"))
    clock.now = 20.0
    lines.heartbeat()  # not silent for long yet
    clock.now = 95.0
    lines.heartbeat()
    assert out.getvalue().splitlines() == [
        "tagship: building the wheel from pub-pkg-1.0.0.tar.gz",
        "tagship: still building the wheel from pub-pkg-1.0.0.tar.gz (1 m 35 s)",
    ]


def test_the_live_view_shows_every_kind_of_event_on_a_terminal() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    with RichProgress(console=console, transient=True) as display:
        view = LiveView(display)
        view("building [project] 1.0")  # not rich markup
        view(Transfer("pub.whl", 10, 100))
        view(Transfer("pub.whl", 100, 100))
        view(Waiting("local still does not show pub.whl", 3, 600, 2))
    assert "tagship: building [project] 1.0" in screen.getvalue()
    assert ESCAPE in screen.getvalue()
