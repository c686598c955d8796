"""Google's field masks: partial-response selectors and update masks.

Both use the same syntax — ``a,b(c,d/e),f.g`` — parsed once into a tree here.
"""

from __future__ import annotations

import copy
from typing import Any

from .model import bad


def parse_mask(text: str) -> dict[str, Any]:
    """Google's partial-response syntax: ``a,b(c,d/e),f.g`` → a nested dict (leaf = {})."""
    tree: dict[str, Any] = {}
    stack = [tree]
    token = ""

    def flush() -> None:
        nonlocal token
        if token.strip():
            node = stack[-1]
            for part in token.strip().replace("/", ".").split("."):
                node = node.setdefault(part, {})
            stack[-1].setdefault("__last__", node)
            last[0] = node
        token = ""

    last: list[dict[str, Any]] = [tree]
    for ch in text:
        if ch == ",":
            flush()
        elif ch == "(":
            flush()
            stack.append(last[0])
        elif ch == ")":
            flush()
            if len(stack) == 1:
                raise bad(f"Invalid field selection {text}")
            stack.pop()
        else:
            token += ch
    flush()
    if len(stack) != 1:
        raise bad(f"Invalid field selection {text}")
    _drop_marks(tree)
    return tree


def _drop_marks(node: dict[str, Any]) -> None:
    node.pop("__last__", None)
    for child in node.values():
        _drop_marks(child)


def apply_fields(data: Any, mask: dict[str, Any]) -> Any:
    """Keep only the masked parts of ``data`` (lists are masked item by item)."""
    if not mask or "*" in mask:
        return data
    if isinstance(data, list):
        return [apply_fields(item, mask) for item in data]
    if not isinstance(data, dict):
        return data
    return {k: apply_fields(data[k], sub) for k, sub in mask.items() if k in data}


def mask_paths(fields: str) -> list[list[str]]:
    """Every leaf path of a mask: 'a(b,c),d.e' → [['a','b'], ['a','c'], ['d','e']]."""
    out: list[list[str]] = []

    def walk(node: dict[str, Any], prefix: list[str]) -> None:
        for key, child in node.items():
            if child:
                walk(child, [*prefix, key])
            else:
                out.append([*prefix, key])

    walk(parse_mask(fields), [])
    return out


def apply_mask(target: dict[str, Any], source: dict[str, Any], fields: str, where: str) -> None:
    """Copy the masked fields of ``source`` into ``target`` ('*' copies everything)."""
    if not fields:
        raise bad(f"Invalid {where}: At least one field must be updated, but none specified.")
    if fields.strip() == "*":
        for key, value in source.items():
            target[key] = copy.deepcopy(value)
        return
    for path in mask_paths(fields):
        src: Any = source
        dst = target
        for key in path[:-1]:
            src = src.get(key, {}) if isinstance(src, dict) else {}
            dst = dst.setdefault(key, {})
        last = path[-1]
        if isinstance(src, dict) and last in src:
            dst[last] = copy.deepcopy(src[last])
        else:
            dst.pop(last, None)
