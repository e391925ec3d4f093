"""The pipeline `init` writes for a GitLab project: tagship's jobs in a file of their own,
`.gitlab/tagship.gitlab-ci.yml`, included from the project's `.gitlab-ci.yml` by one
`include: - local:` entry (pipeline/include.py); the hash-locked set of what the jobs install
beside it. The same inputs always give the same bytes.

May import: tagship.core and tagship.ci.github.workflows (the lock and the config block,
which are host-neutral in content).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from tagship.ci.github.workflows.check_table import check_rows
from tagship.ci.github.workflows.config_block import with_config_block
from tagship.ci.github.workflows.workflows import GeneratedFile, InitPlan
from tagship.ci.gitlab.pipeline import jobs
from tagship.ci.gitlab.pipeline.images import image
from tagship.ci.gitlab.pipeline.include import PIPELINE_FILE, with_include
from tagship.core.infer_checks import plan_checks, unfound_note
from tagship.core.official import is_official
from tagship.core.yaml_text import dump

if TYPE_CHECKING:
    from tagship.ci.pipeline_values import PipelineInputs
    from tagship.core.config import Config

OWN_FILE = ".gitlab/tagship.gitlab-ci.yml"
LOCK_FILE = ".gitlab/tagship-requirements.txt"
HEADER = (
    "Written by `tagship init` from [tool.tagship] in pyproject.toml (included from\n"
    f"{PIPELINE_FILE}): change the config and run `tagship init` again rather than editing\n"
    "this file (`tagship init --check` shows drift)."
)


def install_command(source: str | None, also: tuple[str, ...]) -> str:
    """How a job installs tagship: the locked files, every hash checked, no resolver."""
    if source:
        quoted = " ".join(f'"{requirement}"' for requirement in (source, *also))
        return f"python -m pip install {quoted}"
    return f"python -m pip install --require-hashes --no-deps -r {LOCK_FILE}"


def publishing(config: Config) -> list[tuple[str, bool]]:
    """The official indexes tagship publishes to, each with whether it is production (on a
    tag) rather than the dry run (by hand)."""
    return [
        (index.name, index.name != "testpypi")
        for index in config.indexes.values()
        if is_official(index) and index.workflow
    ]


def plan(config: Config, inputs: PipelineInputs) -> InitPlan:
    """Every file init writes for GitLab: tagship's pipeline, the include in the project's
    file, the lock, and the [tool.tagship] block."""
    pinned, note = image(inputs.python)
    tools = jobs.Tools(pinned, install_command(inputs.source, inputs.also))
    plans = plan_checks(config, inputs.facts)
    indexes = [(config.index(name), production) for name, production in publishing(config)]
    document = jobs.pipeline(config, tools, plans, indexes, inputs.project)
    included = with_include(inputs.top_file, OWN_FILE, jobs.OWN_STAGES)
    files = [
        GeneratedFile(OWN_FILE, dump(document, HEADER)),
        GeneratedFile(PIPELINE_FILE, included.text),
    ]
    if inputs.lock is not None:
        files.append(GeneratedFile(LOCK_FILE, inputs.lock))
    # the [tool.tagship.github] table is GitHub's: a GitLab project's block names no owner
    neutral = replace(config, github_owner=None, github_repository=None)
    block = with_config_block(inputs.pyproject_text, neutral, plans)
    files.append(GeneratedFile("pyproject.toml", block))
    notes = [note] if note else []
    unfound = unfound_note(plans, config.pyproject.name)
    notes.extend([unfound] if unfound else [])
    return InitPlan(tuple(files), (), (), tuple(notes), check_rows(plans, {}))
