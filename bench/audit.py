"""`tagship audit` of a synthetic project: 1k, 5k and 10k releases (two files each).

Run: .venv/bin/python bench/audit.py [--sizes 1000,5000,10000] [--runs 3] [--json]

For each size the bench builds, in a temporary directory, a git repository with one commit
and one annotated release tag per version, a bare `origin`, a ledger with one CI publish
record per version (wheel + sdist), and a simple-API page listing every file, served by a
local HTTP server (PEP 503 HTML, or PEP 691 JSON with --json). It then times the audit (the
same functions `tagship audit` runs) and prints the median time, the cost per release, and
where the time goes. Target: 10k releases in under 1 s, growing linearly.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import http.server
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tagship.adapters.git import Git
from tagship.adapters.http import Http
from tagship.adapters.index import JSON_TYPE, SimpleIndex
from tagship.adapters.ledger_store import LEDGER_FILE, LEDGER_REF
from tagship.core.audit import audit
from tagship.core.index_url import UPLOAD_URL
from tagship.core.ledger import Actor, Event, FileEntry, anchor_line, make_record
from tagship.steps.ledger.audit import audit_workspace, gather_evidence
from tagship.workspace import open_workspace

NAME = "bench-pkg"
TARGET_S = 1.0
ACTOR = Actor(
    kind="github-actions",
    repository="CharmAIOS/Charm",
    workflow="publish-pypi.yml",
    run_id="1",
    run_attempt="1",
    environment="pypi",
)


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, input=stdin, check=True, capture_output=True)


def _files(version: str) -> tuple[FileEntry, ...]:
    stem = f"bench_pkg-{version}"
    names = (f"{stem}-py3-none-any.whl", f"{stem}.tar.gz")
    return tuple(FileEntry(n, 1000, hashlib.sha256(n.encode()).hexdigest()) for n in names)


def _history(root: Path, versions: list[str]) -> list[str]:
    """One commit and one annotated tag per version, through fast-import; the commit shas."""
    pyproject = (
        f'[project]\nname = "{NAME}"\nversion = "0"\n\n[tool.tagship.indexes.bench]\n'
        'simple-url = "http://127.0.0.1:{port}/simple/"\nupload-url = "http://127.0.0.1:1/"\n'
    ).encode()
    stream = bytearray()
    for n, version in enumerate(versions, start=1):
        stream += b"commit refs/heads/main\nmark :%d\n" % n
        stream += b"committer b <b@localhost> %d +0000\ndata 2\nc\n" % (1_600_000_000 + n)
        if n == 1:
            stream += b"M 100644 inline pyproject.toml\ndata %d\n%s\n" % (len(pyproject), pyproject)
        stream += b"tag v%s\nfrom :%d\ntagger b <b@localhost> %d +0000\n" % (
            version.encode(),
            n,
            1_600_000_000 + n,
        )
        stream += b"data 8\nrelease\n\n"
    stream += b"get-mark :%d\n" % len(versions)
    _git(root.parent, "init", "--quiet", "--initial-branch=main", str(root))
    _git(root, "fast-import", "--quiet", stdin=bytes(stream))
    _git(root, "checkout", "--quiet", "main")
    out = subprocess.run(
        ["git", "rev-list", "--reverse", "main"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def _ledger(git: Git, versions: list[str], commits: list[str]) -> str:
    lines, prev = [], None
    for seq, (version, commit) in enumerate(zip(versions, commits, strict=True), start=1):
        event = Event(
            "publish", NAME, version, f"v{version}", commit, "bench", _files(version),
            details={UPLOAD_URL: "http://127.0.0.1:1/"},
        )  # fmt: skip
        actor = dataclasses.replace(ACTOR, ref=f"refs/tags/v{version}", sha=commit)
        record = make_record(seq, "2026-01-01T00:00:00Z", prev, event, actor)
        lines.append(record.line().decode() + "\n")
        prev = record.hash
    tree = git.write_tree({LEDGER_FILE: git.write_blob("".join(lines))})
    git.update_ref(LEDGER_REF, git.commit_tree(tree, None, "bench ledger"))
    return prev or ""


def _pages(versions: list[str]) -> tuple[bytes, bytes]:
    files = [f for v in versions for f in _files(v)]
    links = "".join(
        f'<a href="/files/{f.name}#sha256={f.sha256}">{f.name}</a><br>\n' for f in files
    )
    html = f"<!DOCTYPE html><html><body><h1>{NAME}</h1>\n{links}</body></html>".encode()
    data = {
        "meta": {"api-version": "1.1"},
        "name": NAME,
        "files": [
            {"filename": f.name, "url": f"/files/{f.name}", "hashes": {"sha256": f.sha256}}
            for f in files
        ],
    }
    return html, json.dumps(data).encode()


def _serve(page: bytes, content_type: str) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") != f"/simple/{NAME}":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _setup(base: Path, size: int, as_json: bool) -> tuple[Path, http.server.ThreadingHTTPServer]:
    versions = [f"{n // 10000}.{n // 100 % 100}.{n % 100}" for n in range(size)]
    root = base / f"repo{size}"
    commits = _history(root, versions)
    git = Git(root)
    head = _ledger(git, versions, commits)
    # the last tag anchors the head, as a real release tag would
    last = f"v{versions[-1]}"
    _git(root, "tag", "-f", "-a", last, "-m", f"release\n\n{anchor_line(head)}", commits[-1])
    origin = base / f"origin{size}.git"
    _git(base, "init", "--quiet", "--bare", str(origin))
    _git(root, "remote", "add", "origin", str(origin))
    _git(root, "push", "--quiet", "origin", "main", LEDGER_REF)
    # fast-import leaves 10k loose refs; a real clone has them packed
    _git(root, "pack-refs", "--all")
    html, data = _pages(versions)
    server = _serve(data if as_json else html, JSON_TYPE if as_json else "text/html")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("{port}", str(server.server_port)))
    return root, server


def _phases(root: Path) -> dict[str, float]:
    gc.disable()  # as audit_workspace does
    try:
        return _timed_phases(root)
    finally:
        gc.enable()


def _timed_phases(root: Path) -> dict[str, float]:
    workspace = open_workspace(root, env={})
    index = workspace.config.index("bench")
    times = {}
    start = time.perf_counter()
    evidence = gather_evidence(workspace.require_git(), workspace.config)
    times["ledger+tags+branches"] = time.perf_counter() - start
    start = time.perf_counter()
    with Http() as http:
        page = SimpleIndex(index.simple_url, http).project(NAME)
    times["index page"] = time.perf_counter() - start
    assert page is not None  # noqa: S101 - a bench sanity check
    start = time.perf_counter()
    report = audit(NAME, index, page.files, evidence)
    times["rules"] = time.perf_counter() - start
    assert report.ok, [v for v in report.versions if not v.ok][:3]  # noqa: S101
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="serve PEP 691 JSON, not HTML")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"audit bench ({'PEP 691 JSON' if args.json else 'PEP 503 HTML'} index page)")
    print(f"{'releases':>8} {'files':>6} {'median s':>9} {'us/release':>11}  phases (s)")
    per_release = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            root, server = _setup(Path(tmp), size, args.json)
            try:
                totals = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    report = audit_workspace(open_workspace(root, env={}), "bench")
                    totals.append(time.perf_counter() - start)
                    assert report.ok and len(report.versions) == size  # noqa: PT018, S101
                phases = _phases(root)
            finally:
                server.shutdown()
                server.server_close()
            median = statistics.median(totals)
            per_release[size] = median / size
            shown = ", ".join(f"{k} {v:.3f}" for k, v in phases.items())
            print(f"{size:>8} {2 * size:>6} {median:>9.3f} {median / size * 1e6:>11.1f}  {shown}")
    if len(per_release) > 1:
        small, large = min(per_release), max(per_release)
        ratio = per_release[large] / per_release[small]
        print(f"per-release cost at {large} / at {small}: {ratio:.2f} (1.00 = linear)")
    largest = max(sizes)
    total = per_release[largest] * largest
    verdict = "meets" if total < TARGET_S else "MISSES"
    print(f"{largest} releases: {total:.3f} s, {verdict} the {TARGET_S} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
