"""The merge engine: dedupe input records, match them to the sheet, and three-way merge
each field against the last-synced state, so teammates' edits are never silently lost.

Rules, per field of a record the input names (blank input values never blank the sheet):
- the sheet is blank → fill it (unless a teammate cleared it and the input is unchanged);
- the input changed since the last sync and the sheet did not → write the input value;
- the sheet changed and the input did not → keep the sheet (a teammate's edit);
- both changed to different values, or the record was never synced and they differ →
  a conflict: keep the sheet (or the input with ``on_conflict="source"``) and record it;
- consent (``opt_out``) only ever tightens: an input never turns TRUE back into FALSE,
  and an input's TRUE is written over a FALSE it would otherwise conflict with;
- a cell holding a formula is never written; a new source value it holds back is a
  conflict ("formula kept" in `_conflicts`), like a teammate's typed edit.
Within one input, rows that share a key (ID, e-mail, phone, order id) are merged in file
order: a later non-empty value replaces an earlier one, except ``first_*`` dates, which
keep the earliest, and an opt-out, which stays. A phone joins rows, or a row and a
record, only when their e-mails do not clash (``ingest.matching``): two people sharing a
phone are kept apart as possible duplicates for a teammate to review (``ingest.review``).

A record the input creates without an ID of its own gets one derived from who it is
(``ingest.matching.identity``; ``model.ids.derived_id``), never a random one: its first
key (e-mail lowercased, phone in E.164, order id, referral code), or, with none, its
content and how many identical rows came before it in this input. So two machines
importing the same file, or overlapping files, at the same time make the same IDs, and the
backends append each record once. The source's name is deliberately not part of it: two
exports of the same people are named differently. A derived ID already in the sheet is
that record (a teammate may have changed the e-mail it was derived from), so it is merged,
not created again. Two machines can still each create one person when their files
identify her differently (one by e-mail, the other only by phone), as they would one after
the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sheetcrm.errors import InputError, ValueParseError
from sheetcrm.ingest.matching import SheetIndex, ids_differ, join_by_phone, match
from sheetcrm.ingest.review import MAX_HOLDERS, Reviews, possible_duplicate, weak_keys
from sheetcrm.ingest.syncstate import SyncState, digest
from sheetcrm.model.changes import AppendRow, ChangeSet, Op, SetCell
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.ids import key_values
from sheetcrm.model.schema import CONSENT, TabSchema
from sheetcrm.model.values import ValueContext, is_blank, values_equal
from sheetcrm.run import Conflict

KEEP_EARLIEST = {"first_contact", "first_purchase", "contact_date", "start_date"}


@dataclass
class Group:
    """Input rows that describe one record, merged."""

    record: dict[str, Any]
    rows: list[int]
    merged: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.rows[0]


@dataclass
class MergeResult:
    """What merging input groups into one tab decided."""

    changes: ChangeSet = field(default_factory=ChangeSet)
    created: list[Group] = field(default_factory=list)
    updated: list[Group] = field(default_factory=list)
    unchanged: list[Group] = field(default_factory=list)
    incomplete: list[tuple[Group, ValueParseError]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    ids: dict[int, str] = field(default_factory=dict)  # first row → record id
    index: SheetIndex | None = None  # the sheet's records and those this merge planned
    hosts: dict[str, Group] = field(default_factory=dict)  # planned record → its group


_key_values = key_values


def group_records(
    tab: str,
    rows: Iterable[tuple[int, dict[str, Any]]],
    reviews: Reviews | None = None,
    *,
    ids_given: bool = True,
) -> tuple[list[Group], list[str]]:
    """Merge rows that share a key; return the groups and a line per merge for the audit.
    Rows are first grouped by ID and e-mail; then, in order, a group joins an earlier one
    that holds one of its phones when their e-mails do not clash (or ``reviews`` says the
    pair is one person: it then adds only what the earlier one lacks). Grouping by phone
    last means a row that brings a phone to its group later in the file is seen too.
    ``ids_given``: the input's own IDs (not made up by a preset) say who each row is, so
    rows naming two IDs stay two records whatever else they share (``ids_differ``)."""
    reviews = reviews or Reviews()
    weak = weak_keys(tab)
    groups: list[Group] = []
    phones: list[dict[tuple[str, str], None]] = []  # per group: the phones its rows hold
    index: dict[tuple[str, str], int] = {}
    notes: list[str] = []
    for number, record in rows:
        keys = _key_values(tab, record)
        strong = [k for k in keys if k[0] not in weak]
        hit = next((index[k] for k in strong if k in index), None)
        if hit is not None and ids_given and ids_differ(tab, record, groups[hit].record):
            hit = None
        if hit is None:
            groups.append(Group(dict(record), [number]))
            phones.append({})
            hit = len(groups) - 1
        else:
            key = next(f"{k}={v}" for k, v in strong if index.get((k, v)) == hit)
            _absorb(groups[hit], [number], record, f"{key}", notes)
        phones[hit].update(dict.fromkeys(k for k in keys if k[0] in weak))
        for k in strong:
            index.setdefault(k, hit)
    return _join_by_phones(tab, groups, phones, reviews, notes, ids_given), notes


def _join_by_phones(
    tab: str,
    groups: list[Group],
    phones: list[dict[tuple[str, str], None]],
    reviews: Reviews,
    notes: list[str],
    ids_given: bool,
) -> list[Group]:
    """``group_records``' second step: each group, in order, joins the earlier group that
    holds one of its phones when ``join_by_phone`` says so."""
    loose: dict[tuple[str, str], dict[int, None]] = {}  # phone → groups holding it, in order
    kept: list[int] = []
    for g, group in enumerate(groups):
        held = [h for k in phones[g] if k in loose for h in islice(loose[k], MAX_HOLDERS)]
        record = dict(group.record)
        hit, how = (
            join_by_phone(tab, lambda h: groups[h].record, held, record, reviews, ids_given)
            if held
            else (None, "")
        )
        if hit is None:
            kept.append(g)
            hit = g
        else:
            key = next(f"{k}={v}" for k, v in phones[g] if hit in loose.get((k, v), {}))
            host = groups[hit]
            _absorb(host, [group.first], record, key + how, notes, joined=bool(how))
            host.rows += group.rows[1:]
            host.merged += group.merged
            host.duplicates += group.duplicates
        for k in phones[g]:
            loose.setdefault(k, {})[hit] = None
    return [groups[g] for g in kept]


def _absorb(
    group: Group,
    rows: list[int],
    record: Mapping[str, Any],
    key: str,
    notes: list[str],
    *,
    joined: bool = False,
) -> None:
    """Merge a row's (or a group's) values into ``group``: a merge, or an exact duplicate
    when it adds nothing (a ``same person`` join, ``joined``, is always a merge)."""
    before = dict(group.record)
    _merge_values(group.record, record)
    group.rows += rows
    repeats = all(values_equal(before.get(k), v) for k, v in record.items() if not is_blank(v))
    if group.record == before and repeats and not joined:
        group.duplicates += rows
        return
    group.merged += rows
    notes += [f"row {n} merged into row {group.first} ({key})" for n in rows]


def _merge_values(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for name, value in new.items():
        if is_blank(value):
            continue
        old = into.get(name)
        if name in CONSENT and old is True:
            continue
        if name in KEEP_EARLIEST and not is_blank(old) and _as_date(old) <= _as_date(value):
            continue
        into[name] = value


def _as_date(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime.max


def decide(sheet: Any, source: Any, base: str | None) -> str:
    """'same', 'write', 'keep' or 'conflict' for one field (see the module docstring)."""
    if values_equal(sheet, source):
        return "same"
    if is_blank(sheet):
        cleared_by_teammate = base is not None and base != digest(None) and digest(source) == base
        return "keep" if cleared_by_teammate else "write"
    if base is None:
        return "conflict"
    sheet_changed, source_changed = digest(sheet) != base, digest(source) != base
    if source_changed and not sheet_changed:
        return "write"
    if sheet_changed and not source_changed:
        return "keep"
    return "conflict" if sheet_changed and source_changed else "same"


def merge_groups(
    tab: TabSchema,
    grid: TabGrid,
    groups: list[Group],
    state: SyncState,
    ctx: ValueContext,
    *,
    on_conflict: str = "sheet",
    reviews: Reviews | None = None,
    after: MergeResult | None = None,
) -> MergeResult:
    """Turn input groups into edits, appends and conflicts for one tab (``reviews``: the
    possible duplicates teammates decided on, from ``_conflicts``; ``after``: an earlier
    merge into the same tab in this run, whose planned records these groups then see)."""
    index = after.index if after and after.index else SheetIndex(tab, grid, ctx)
    result = MergeResult(index=index, hosts=after.hosts if after else {})
    synced: list[tuple[str, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    reviews = reviews or Reviews()
    for group in groups:
        record = {
            k: v for k, v in group.record.items() if not tab.field(k).computed or k == tab.id_field
        }
        existing, apart = match(tab, index, record, seen, reviews)
        if existing is None:
            made = _create(tab, index, group, record, result)
            if made is not None:
                synced.append((made, record))
                if apart is not None:
                    there, name = apart
                    result.conflicts.append(
                        possible_duplicate(
                            tab.name,
                            name,
                            there,
                            index.value(there, "email"),
                            made,
                            record.get("email"),
                        )
                    )
            continue
        result.ids[group.first] = existing
        if existing in index.planned:  # made earlier in this run: one more row of it
            _join_planned(tab, index.planned[existing], result.hosts[existing], group, record)
            continue
        changed = _update(tab, index, existing, record, state, result, on_conflict)
        index.add(existing, record)
        (result.updated if changed else result.unchanged).append(group)
        synced.append((existing, {k: v for k, v in record.items() if not is_blank(v)}))
    if not (result.created or result.updated or result.conflicts):
        # Nothing to write but baselines: an export imported back, or a file a teammate's
        # edits already match, plans nothing. The base stays unknown, so a later change in
        # the source is a conflict (the sheet kept) rather than an update: the safe side.
        synced = []
    result.changes.extend(_sync_rows(tab, state, synced))
    result.changes.notes += index.notes
    index.notes = []
    return result


def _join_planned(
    tab: TabSchema, planned: dict[str, Any], host: Group, group: Group, record: Mapping[str, Any]
) -> None:
    """A group that matched a record this run creates (it joined it only by a key the
    record gained from another row of the file, e.g. a phone): merged into what is
    appended, as rows of one file are, and counted as merged."""
    _merge_values(planned, {k: v for k, v in record.items() if k != tab.id_field})
    host.rows += group.rows
    host.merged += group.rows


def _create(
    tab: TabSchema, index: SheetIndex, group: Group, record: dict[str, Any], result: MergeResult
) -> str | None:
    """Append a record the sheet does not have (its ID given or derived); None when it
    lacks a required field (``result.incomplete`` says which)."""
    rid = record[tab.id_field]
    try:
        tab.check_complete(record, row=group.first)
    except ValueParseError as exc:
        result.incomplete.append((group, exc))
        return None
    result.changes.add(AppendRow(tab.name, record))
    result.created.append(group)
    result.hosts[str(rid)] = group
    result.ids[group.first] = str(rid)
    index.plan(str(rid), record)  # a later group with its keys finds it
    return str(rid)


def _update(
    tab: TabSchema,
    index: SheetIndex,
    existing: str,
    record: dict[str, Any],
    state: SyncState,
    result: MergeResult,
    on_conflict: str,
) -> bool:
    """Three-way merge each field the input names into the existing record (``decide``);
    whether any cell is written."""
    base = state.base(tab.name, existing)
    changed = False
    for name, value in record.items():
        if name == tab.id_field or is_blank(value) or name not in index.hm.columns:
            continue
        current, formula = index.current(existing, name)
        verdict = _consent(name, current, value, decide(current, value, base.get(name)))
        if verdict == "same":
            continue
        if formula:  # never written: a new source value it holds back is a conflict
            if verdict in ("conflict", "write"):
                result.conflicts.append(
                    Conflict(tab.name, existing, name, current, value, "formula kept")
                )
            else:
                result.changes.notes.append(f"{tab.name} {existing} {name}: kept the formula")
            continue
        if verdict == "conflict":
            winner = "source" if on_conflict == "source" else "sheet"
            result.conflicts.append(
                Conflict(tab.name, existing, name, current, value, f"{winner} value kept")
            )
            if winner == "sheet":
                continue
        elif verdict == "keep":
            continue
        result.changes.add(SetCell(tab.name, existing, name, value, current))
        changed = True
    return changed


def _consent(name: str, sheet: Any, source: Any, verdict: str) -> str:
    """``decide`` for consent (module docstring): a wrongly kept opt-out costs a message
    not sent, a dropped one mails someone who asked not to be mailed."""
    if name not in CONSENT:
        return verdict
    if sheet is True and source is not True:
        return "keep"
    return "write" if source is True and verdict == "conflict" else verdict


def _sync_rows(
    tab: TabSchema, state: SyncState, synced: list[tuple[str, dict[str, Any]]]
) -> list[Op]:
    """The ``_sync`` rows that record what each record now holds: the next merge's base."""
    now = dt.datetime.now().replace(microsecond=0)
    ops: list[Op] = []
    for rid, values in synced:
        plain = {k: v for k, v in values.items() if k != tab.id_field}
        update = state.updated(tab.name, rid, plain)
        if not update:
            continue
        ops += state.write(*update, now)
    return ops


def require_tab(grids: Mapping[str, TabGrid], name: str) -> TabGrid:
    if name not in grids:
        raise InputError(f"the workbook has no {name!r} tab; run `sheetcrm init` first")
    return grids[name]
