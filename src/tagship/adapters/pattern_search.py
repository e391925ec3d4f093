"""A project's own regular expression, matched with a time budget.

Python's `re` has no timeout and cannot be stopped from another thread, and a pattern from
the configuration may backtrack for hours: `(a+)+$` exponentially, `\\w+\\w*\\w*=` cubically,
on one long line. So the match runs in a child Python (standard library only), which is
killed when the budget is spent; what it reports is small whatever the file.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from tagship.adapters.process import run, without_secrets
from tagship.core.errors import ConfigError, ServiceError
from tagship.core.version_carriers import PatternHits

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tagship.adapters.process import Runner

PATTERN_BUDGET = 5.0  # seconds; a fair pattern needs milliseconds on a 16 MiB file
_CHILD = """
import json, re, sys
pattern, text = json.load(sys.stdin)
count, first = 0, None
for match in re.finditer(pattern, text, re.MULTILINE):
    count += 1
    if first is None and match.start("version") >= 0:
        first = match.span("version")
print(json.dumps([count, first]))
"""


def search_pattern(
    pattern: str,
    text: str,
    *,
    what: str,
    env: Mapping[str, str],
    runner: Runner = run,
    budget: float = PATTERN_BUDGET,
) -> PatternHits:
    """How often `pattern` (with a `version` group, multi-line) matches `text`, and where its
    first match's `version` group is. ConfigError naming `what` when the budget runs out."""
    try:
        done = runner(
            [sys.executable, "-I", "-S", "-c", _CHILD],
            env=without_secrets(env),
            stdin=json.dumps([pattern, text]),
            timeout=budget,
        )
    except ServiceError:  # the runner's timeout: the child is killed
        raise ConfigError(
            f"{what} did not finish within {budget:g} s on {len(text)} characters: "
            "it backtracks without end",
            hint="anchor it to its line (^...$) and let no two repeats match the same "
            'characters: [^"]+ rather than .*, and no nested repeats such as (a+)+',
        ) from None
    if not done.ok:
        raise ServiceError(f"{what} could not be matched: {done.reason()}")
    count, first = json.loads(done.stdout)
    return PatternHits(count, None if first is None else (first[0], first[1]))
