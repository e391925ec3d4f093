"""`tagship init` and the project's own publishers: never two armed beside tagship's.

Without `--disable-old-publishers` init lists every job of the project's workflows that still
uploads to PyPI or TestPyPI and stops before writing anything; with it, it switches each off
in place (ci/github/workflows/disable_publisher.py) and leaves a note saying so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.ci.github.old_publishers import OldPublisher, old_publishers, rivals
from tagship.ci.github.workflow_model import WorkflowSyntaxError, parse_workflow
from tagship.ci.github.workflows import disable_publisher
from tagship.ci.github.workflows.workflows import existing_workflows
from tagship.cli.render import line, note_line
from tagship.core.errors import GateError
from tagship.core.words import plural

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from tagship.ci.github.workflow_model import Workflow
    from tagship.ci.github.workflows.workflows import InitPlan

FLAG = "--disable-old-publishers"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        FLAG,
        action="store_true",
        help="switch off, in place, every upload of the project's own workflows to PyPI or "
        "TestPyPI (an `if:` that never holds, commented); without it init stops while one is "
        "armed",
    )


def prepare(plan: InitPlan, root: Path, *, disable: bool) -> dict[str, str]:
    """The project's files to rewrite (path -> new text): with `disable`, each file holding
    an armed old publisher with it switched off, and the note; else nothing, and a GateError
    when one is armed. Says what it found; computes everything before anything is written."""
    tagship = {p.index: p.workflow for p in plan.publishers}
    if not tagship:
        return {}  # tagship writes no publish workflow here: nothing to race
    existing = existing_workflows(root)
    found = _scan(existing, plan, tagship)
    for publisher in found:
        if not publisher.races:
            note_line(f"{publisher.describe()}: not PyPI or TestPyPI, left as it is")
        elif publisher.disabled:
            line(f"old publisher kept off: {publisher.describe()}")
    armed = [p for p in found if p.armed]
    if not armed:
        return {}
    if not disable:
        for publisher in armed:
            line(f"old publisher: {publisher.describe()}")
        raise GateError(
            f"{plural(len(armed), 'job')} of the project's own workflows still "
            f"{'uploads' if len(armed) == 1 else 'upload'} where tagship "
            "publishes: one release would start two uploads that race",
            hint=f"pass {FLAG} to switch them off in place (an `if:` that never holds, "
            "commented), or "
            "remove them yourself and run `tagship init` again",
        )
    texts: dict[str, str] = {}
    for publisher in armed:
        current = texts.get(publisher.path, existing[publisher.path])
        done = disable_publisher.disable(current, publisher, rivals(publisher, tagship))
        texts[publisher.path] = done.text
        line(f"old publisher switched off ({' and '.join(done.targets)}): {publisher.describe()}")
    # the note shows each as it was before (an old `if:` tells which events reached it)
    before = {(p.path, p.job): p for p in armed}
    now_off = [
        before.get((p.path, p.job), p)
        for p in _scan({**existing, **texts}, plan, tagship)
        if p.races and p.disabled
    ]
    texts[disable_publisher.NOTE_FILE] = disable_publisher.note_text(now_off)
    return texts


def write(root: Path, texts: dict[str, str]) -> None:
    """Write what `prepare` computed, saying which files changed."""
    disable_publisher.write(root, texts)
    for path in texts:
        line(f"wrote {path}")


def _scan(
    existing: dict[str, str], plan: InitPlan, tagship: dict[str, str]
) -> tuple[OldPublisher, ...]:
    # a file init replaces (--force) is no longer the project's; one GitHub cannot parse
    # never runs (doctor reports it)
    replaced = {f.path for f in plan.files}
    parsed: list[Workflow] = []
    for path, text in existing.items():
        if path in replaced:
            continue
        try:
            parsed.append(parse_workflow(path, text))
        except WorkflowSyntaxError:
            continue
    return old_publishers(parsed, tagship)
