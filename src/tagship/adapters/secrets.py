"""Which credentials are in play, and how they are kept out of anything tagship shows.

A server or a program may echo what it was sent: an Authorization header (the base64 of
`user:password`), a URL with user info, a form or JSON field. So `scrub` masks every form a
credential travels in, not only its raw value; the CLI applies it to all it prints, and the
HTTP and process adapters to the server and program text they quote in errors.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

from tagship.ci import CREDENTIAL_VARIABLES as HOST_CREDENTIALS
from tagship.ci import TOKEN_USERS, read_run
from tagship.core.config import CREDENTIAL_PREFIX, credential_variables

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

MASK = "***"

# variables that carry credentials; code tagship does not control (build backends, the
# project's checks, installed packages, smoke commands) never receives them
CREDENTIAL_VARIABLES = frozenset(
    {
        *HOST_CREDENTIALS,
        "TWINE_USERNAME",
        "TWINE_PASSWORD",
        "UV_PUBLISH_TOKEN",
        "UV_PUBLISH_USERNAME",
        "UV_PUBLISH_PASSWORD",
    }
)
# index credentials, and git's job-token header (git_base.host_auth)
_CREDENTIAL_PREFIXES = (CREDENTIAL_PREFIX, "GIT_CONFIG_")
# whose value is masked: a name with one of these words (GITHUB_TOKEN, TAGSHIP_INDEX_X_PASSWORD,
# SENTRY_API_KEY), but not TOKENIZERS_PARALLELISM
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIALS?|API_?KEY)(?:_|$)", re.IGNORECASE
)
_MIN_SECRET = 4  # shorter values are flags such as "1", not secrets; hiding them garbles text
_MIN_EMBEDDED = 12  # long enough that its base64 fragments never match ordinary text
_URL_USERINFO = re.compile(r"(?<=://)[^/\s@]+@")


def is_credential_variable(name: str) -> bool:
    """Whether a variable carries a credential (and so never reaches a child process)."""
    return name in CREDENTIAL_VARIABLES or name.startswith(_CREDENTIAL_PREFIXES)


def _pairs(env: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(user, secret) as each credential is sent in a Basic Authorization header."""
    for name, secret in env.items():
        if name.startswith(CREDENTIAL_PREFIX) and name.endswith(("_PASSWORD", "_TOKEN")):
            # the user names that core.config.credentials pairs the secret with
            stem = name[len(CREDENTIAL_PREFIX) :].rsplit("_", 1)[0]
            default = "__token__" if name.endswith("_TOKEN") else ""
            yield env.get(credential_variables(stem)[0]) or default, secret
    for user, secret in (
        ("TWINE_USERNAME", "TWINE_PASSWORD"),
        ("UV_PUBLISH_USERNAME", "UV_PUBLISH_PASSWORD"),
    ):
        if secret in env:
            yield env.get(user, ""), env[secret]
    if "UV_PUBLISH_TOKEN" in env:
        yield "__token__", env["UV_PUBLISH_TOKEN"]
    token = read_run(env).token
    if token is not None:
        for user in TOKEN_USERS.values():
            yield user, token  # git's job-token header (git_base)


def secrets_in(env: Mapping[str, str]) -> frozenset[str]:
    """Every credential `env` holds, with the `user:secret` pairs it is sent as."""
    found = {value for name, value in env.items() if _SECRET_NAME.search(name)}
    found |= {f"{user}:{secret}" for user, secret in _pairs(env) if secret}
    return frozenset(value for value in found if len(value) >= _MIN_SECRET)


def _embedded_base64(secret: bytes) -> set[str]:
    """The base64 characters that only `secret` decides, at each of the three alignments it
    can have inside longer encoded data (`user:secret` with any user, a JSON blob...)."""
    found = set()
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + secret).decode()
        # a character is the secret's alone when its six bits lie inside the secret's bytes
        start, end = -(-8 * shift // 6), 8 * (shift + len(secret)) // 6
        found.add(encoded[start:end])
    return found


def forms(secret: str) -> set[str]:
    """The ways `secret` is written where it travels: raw, URL-encoded (path, query or
    user info), JSON-escaped, base64 (padded or not, alone or inside longer data)."""
    raw = secret.encode("utf-8", "surrogateescape")
    encoded = base64.b64encode(raw).decode()
    found = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        encoded,
        encoded.rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    if len(secret) >= _MIN_EMBEDDED:
        found |= _embedded_base64(raw)
    return {form for form in found if form}


@functools.lru_cache(maxsize=8)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    every = {form for secret in secrets for form in forms(secret)}
    if not every:
        return None
    # longest first: at one position the whole of a longer form is masked, not its prefix
    return re.compile("|".join(re.escape(f) for f in sorted(every, key=len, reverse=True)))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every form of every secret, and any URL's user info, masked."""
    pattern = _pattern(frozenset(s for s in secrets if len(s) >= _MIN_SECRET))
    if pattern is not None:
        text = pattern.sub(MASK, text)
    return _URL_USERINFO.sub(MASK + "@", text)
