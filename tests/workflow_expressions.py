"""GitHub Actions expressions as far as the generated workflows use them: contexts, string
literals, `!`, `&&`, `||` (short-circuit, as GitHub evaluates them), `==`, `!=`, parentheses,
`contains()`, `fromJSON()` and the status functions. Anything else is `Unsupported`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(&&|\|\||==|!=|!|\(|\)|,)|([A-Za-z_][\w.-]*))")
STATUS = ("success", "failure", "always", "cancelled")
_CONTEXT = re.compile(
    r"github\.(?:token|ref|ref_name|event_name)|inputs\.[A-Za-z_][\w-]*"
    r"|matrix\.[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)?"
    r"|(?:needs|steps)\.[A-Za-z_][\w-]*\.outputs\.[A-Za-z_][\w-]*"
    r"|needs\.[A-Za-z_][\w-]*\.result"
)


class ExpressionError(Exception):
    """What the harness cannot evaluate (the caller raises Unsupported)."""


@dataclass(frozen=True)
class Parsed:
    """An expression's tree, and whether it calls a status function (which then decides
    alone whether a step or job runs, as on GitHub)."""

    tree: Any
    has_status: bool


def _tokens(text: str) -> list[tuple[str, str]]:
    found, at = [], 0
    while at < len(text.rstrip()):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise ExpressionError(f"cannot read {text[at:]!r}")
        kind = "str" if match[1] else "op" if match[2] else "name"
        found.append((kind, match[1] or match[2] or match[3]))
        at = match.end()
    return found


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.status = False

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise ExpressionError(f"expected {value or 'more'} at token {self.at}")
        self.at += 1
        return token

    def either(self) -> Any:
        node = self.both()
        while self.peek() == ("op", "||"):
            self.take()
            node = ("or", node, self.both())
        return node

    def both(self) -> Any:
        node = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            node = ("and", node, self.unary())
        return node

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return ("not", self.unary())
        node = self.primary()
        token = self.peek()
        if token is not None and token[1] in ("==", "!="):
            self.take()
            return (token[1], node, self.primary())
        return node

    def primary(self) -> Any:
        kind, value = self.take()
        if value == "(":
            node = self.either()
            self.take(")")
            return node
        if kind == "str":
            return ("lit", value[1:-1].replace("''", "'"))
        if kind != "name":
            raise ExpressionError(f"unexpected {value!r}")
        if value in ("true", "false"):
            return ("lit", value == "true")
        if self.peek() == ("op", "("):
            self.take()
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.either())
                if self.peek() == ("op", ","):
                    self.take()
            self.take(")")
            self.status = self.status or value in STATUS
            return ("call", value, args)
        if not _CONTEXT.fullmatch(value):
            raise ExpressionError(f"context not understood: {value}")
        return ("ctx", value)


def parse(text: str) -> Parsed:
    parser = _Parser(text)
    tree = parser.either()
    if parser.peek() is not None:
        raise ExpressionError(f"trailing {parser.peek()}")
    return Parsed(tree, parser.status)


def _truthy(value: object) -> bool:
    return bool(value) if not isinstance(value, str) else value != ""


def evaluate_tree(node: Any, lookup: Callable[[str], str], status: Mapping[str, bool]) -> object:
    """The value of `node`; `lookup` answers contexts, `status` the status functions."""
    op = node[0]
    if op == "lit":
        return node[1]
    if op == "ctx":
        return lookup(node[1])
    if op == "not":
        return not _truthy(evaluate_tree(node[1], lookup, status))
    if op in ("and", "or"):
        left = evaluate_tree(node[1], lookup, status)
        if _truthy(left) == (op == "or"):  # short-circuit, as GitHub does
            return left
        return evaluate_tree(node[2], lookup, status)
    if op in ("==", "!="):
        same = evaluate_tree(node[1], lookup, status) == evaluate_tree(node[2], lookup, status)
        return same if op == "==" else not same
    name, args = node[1], [evaluate_tree(a, lookup, status) for a in node[2]]
    if name in STATUS and not args:
        return status[name]
    if name == "fromJSON" and len(args) == 1 and isinstance(args[0], str):
        return json.loads(args[0])
    if name == "contains" and len(args) == 2 and isinstance(args[0], (list, str)):
        return args[1] in args[0]
    raise ExpressionError(f"function not understood: {name}({len(args)} arguments)")
