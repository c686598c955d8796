"""Google's own contract: the sheets v4 discovery document, turned into strict JSON Schema.

The document ships in the ``google-api-python-client`` wheel. Every message becomes a
JSON Schema with ``additionalProperties: false``, enums and int32 bounds; the protobuf
``oneof`` groups the document cannot express (``Request``, ``ExtendedValue``,
``DataFilter`` …) are added by hand from the API reference. Validation uses the
``jsonschema`` library; errors are phrased the way Google phrases them.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

#: proto oneof groups: message → (fields of the group, whether one must be set).
ONEOFS: dict[str, tuple[tuple[str, ...] | None, bool]] = {
    "Request": (None, True),  # None: every property belongs to the group
    "ExtendedValue": (None, False),
    "DataFilter": (("developerMetadataLookup", "a1Range", "gridRange"), False),
    "ChartSpec": (
        (
            "basicChart",
            "pieChart",
            "bubbleChart",
            "candlestickChart",
            "orgChart",
            "histogramChart",
            "waterfallChart",
            "treemapChart",
            "scorecardChart",
        ),
        False,
    ),
    "EmbeddedObjectPosition": (("sheetId", "overlayPosition", "newSheet"), False),
    "ConditionalFormatRule": (("booleanRule", "gradientRule"), False),
    "ColorStyle": (("rgbColor", "themeColor"), False),
    "DeveloperMetadataLocation": (("spreadsheet", "sheetId", "dimensionRange"), False),
    "PasteDataRequest": (("delimiter", "html"), False),
    "FindReplaceRequest": (("range", "sheetId", "allSheets"), False),
}

INT32 = (-(2**31), 2**31 - 1)


class EmulatorDependencyError(RuntimeError):
    """google-api-python-client or jsonschema is missing."""


@functools.cache
def document() -> dict[str, Any]:
    """The sheets v4 discovery document from the google-api-python-client wheel."""
    try:
        pkg = resources.files("googleapiclient") / "discovery_cache" / "documents"
        doc: dict[str, Any] = json.loads((pkg / "sheets.v4.json").read_text(encoding="utf-8"))
        return doc
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise EmulatorDependencyError(
            "the emulator needs google-api-python-client: pip install 'sheetcrm[emulator]'"
        ) from exc


def _convert(prop: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in prop:
        return {"$ref": f"#/$defs/{prop['$ref']}"}
    kind = prop.get("type")
    out: dict[str, Any] = {}
    if kind == "object":
        if "properties" in prop:
            out = {
                "type": "object",
                "properties": {k: _convert(v) for k, v in prop["properties"].items()},
                "additionalProperties": False,
            }
        elif "additionalProperties" in prop:
            out = {"type": "object", "additionalProperties": _convert(prop["additionalProperties"])}
        else:
            out = {"type": "object"}
    elif kind == "array":
        out = {"type": "array", "items": _convert(prop.get("items", {}))}
    elif kind == "integer":
        out = {"type": "integer"}
        if prop.get("format") == "int32":
            out |= {"minimum": INT32[0], "maximum": INT32[1]}
        elif prop.get("format") == "uint32":
            out |= {"minimum": 0, "maximum": 2**32 - 1}
    elif kind == "number":
        out = {"type": "number"}
    elif kind == "boolean":
        out = {"type": "boolean"}
    elif kind == "string":
        if prop.get("format") in ("int64", "uint64"):
            out = {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?\d+$"}]}
        else:
            out = {"type": "string"}
        if "enum" in prop:
            out["enum"] = prop["enum"]
    elif kind == "any":
        out = {}
    return out


def _oneof(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    group, required = ONEOFS[name]
    names = list(group or schema["properties"])
    pairs = [{"required": [a, b]} for i, a in enumerate(names) for b in names[i + 1 :]]
    extra: dict[str, Any] = {}
    if group is None:
        extra["maxProperties"] = 1
        if required:
            extra["minProperties"] = 1
    else:
        extra["not"] = {"anyOf": pairs}
        if required:
            extra["anyOf"] = [{"required": [n]} for n in names]
    extra["x-oneof"] = names
    return extra


@functools.cache
def json_schema() -> dict[str, Any]:
    """All discovery messages as one JSON Schema document with ``$defs``."""
    defs = {}
    for name, schema in document()["schemas"].items():
        converted = _convert(schema)
        if name in ONEOFS:
            converted |= _oneof(name, schema)
        defs[name] = converted
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": defs}


@dataclass(frozen=True)
class Method:
    """One REST method of the API, as the discovery document describes it."""

    id: str
    http_method: str
    path: str
    request: str | None
    query: dict[str, dict[str, Any]]


@functools.cache
def methods() -> dict[str, Method]:
    """Every method by id, e.g. ``sheets.spreadsheets.values.update``."""
    doc = document()
    common = {k: v for k, v in doc["parameters"].items() if v.get("location") == "query"}
    out: dict[str, Method] = {}

    def walk(node: dict[str, Any]) -> None:
        for m in node.get("methods", {}).values():
            params = {k: v for k, v in m.get("parameters", {}).items() if v["location"] == "query"}
            out[m["id"]] = Method(
                m["id"],
                m["httpMethod"],
                m.get("flatPath", m["path"]),
                m.get("request", {}).get("$ref"),
                common | params,
            )
        for child in node.get("resources", {}).values():
            walk(child)

    walk(doc)
    return out


class ContractError(ValueError):
    """A request Google would reject with 400 INVALID_ARGUMENT."""


def strip_nulls(value: Any) -> Any:
    """Explicit JSON nulls mean 'not set' to Google's JSON parser."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


@functools.cache
def _validator(message: str) -> Any:
    try:
        import jsonschema
    except ModuleNotFoundError as exc:
        raise EmulatorDependencyError(
            "the emulator needs jsonschema: pip install 'sheetcrm[emulator]'"
        ) from exc
    schema = json_schema() | {"$ref": f"#/$defs/{message}"}
    return jsonschema.Draft202012Validator(schema)


def validate_body(message: str, body: Any) -> Any:
    """Validate a request body against ``message``; return it with nulls removed."""
    body = strip_nulls(body)
    if not isinstance(body, dict):
        raise ContractError("Invalid JSON payload received. Expected an object.")
    # ValueRange.values is a list of lists of any scalar; checking megabytes of it cell by
    # cell through jsonschema is slow, so it is checked here and hidden from the validator
    batched = message in ("BatchUpdateValuesRequest", "BatchUpdateValuesByDataFilterRequest")
    ranges = body.get("data", []) if batched else [body]
    saved = []
    for i, vr in enumerate(ranges if isinstance(ranges, list) else []):
        where = f"data[{i}].values" if vr is not body else "data.values"
        if isinstance(vr, dict) and "values" in vr and not isinstance(vr["values"], list):
            shown = json.dumps(vr["values"])[:40]
            raise ContractError(
                f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.ListValue), "
                f"{shown}"
            )
        if isinstance(vr, dict) and isinstance(vr.get("values"), list):
            _check_grid(vr["values"], where)
            saved.append((vr, vr["values"]))
            vr["values"] = []
    try:
        errors = sorted(_validator(message).iter_errors(body), key=lambda e: len(e.absolute_path))
    finally:
        for vr, values in saved:
            vr["values"] = values
    if errors:
        raise ContractError(_google_message(errors[0], body))
    return body


_SCALARS = (str, int, float, bool)


def _check_grid(values: list[Any], where: str) -> None:
    for r, row in enumerate(values):
        if not isinstance(row, list):
            raise ContractError(
                f"Invalid value at '{where}[{r}]' "
                f"(type.googleapis.com/google.protobuf.ListValue), {json.dumps(row)[:40]}"
            )
        for c, cell in enumerate(row):
            if not isinstance(cell, _SCALARS) and cell is not None:
                raise ContractError(
                    f"Invalid value at '{where}[{r}][{c}]', {json.dumps(cell)[:40]}"
                )


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + _snake(str(p)))
    return out


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def _google_message(error: Any, body: Any) -> str:
    where = _path(error.absolute_path)
    if error.validator == "additionalProperties":
        props = error.schema.get("properties", {})
        unknown = sorted(set(error.instance) - set(props))
        at = f" at '{where}'" if where else ""
        return f'Invalid JSON payload received. Unknown name "{unknown[0]}"{at}: Cannot find field.'
    if error.validator == "enum":
        return f"Invalid value at '{where}', \"{error.instance}\""
    if error.validator in ("maxProperties", "not"):
        names = sorted(error.instance) if isinstance(error.instance, dict) else []
        return f"Invalid value at '{where}' (oneof), oneof field 'kind' is already set. " + (
            f"Cannot set '{names[-1]}'" if names else ""
        )
    if error.validator in ("minProperties", "anyOf") and "x-oneof" in error.schema:
        return f"Invalid {where}: No request set." if where else "No request set."
    if error.validator in ("minimum", "maximum"):
        return f"Invalid value at '{where}' (TYPE_INT32), {error.instance}"
    if error.validator == "type":
        shown = json.dumps(error.instance)[:60]
        return f"Invalid value at '{where}' ({error.validator_value}), {shown}"
    return f"Invalid value at '{where}': {error.message}"


def check_query(method: Method, params: dict[str, list[str]]) -> None:
    """Reject unknown enum values in query parameters (e.g. valueInputOption=FOO)."""
    for name, values in params.items():
        spec = method.query.get(name)
        if spec is None:
            continue
        for value in values:
            if "enum" in spec and value not in spec["enum"]:
                raise ContractError(
                    f"Invalid value at '{_snake(name)}' "
                    f"(type.googleapis.com/google.apps.sheets.v4.{name[0].upper() + name[1:]}), "
                    f'"{value}"'
                )
            if spec.get("type") == "boolean" and value.lower() not in ("true", "false"):
                raise ContractError(f"Invalid value at '{_snake(name)}' (TYPE_BOOL), \"{value}\"")
