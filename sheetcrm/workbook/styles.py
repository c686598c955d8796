"""Live formatting: the colours rules give rows, as native conditional formats, plus
warning-only protection on computed columns. Declared here, reconciled idempotently.

Which formats and protections are ours is recorded in ``_meta`` (``styles:<Tab>``), so a
second refresh adds nothing, a rule dropped from the config is removed, a rule a teammate
deleted is put back, and formats teammates made themselves are never touched. Every rule
covers whole columns from row 2 down, so pasted or inserted rows stay coloured. A rule
that tests a choice value tests its ``[locale] labels`` label too, so colours follow the
sheet whichever it shows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sheetcrm.analytics.kpis import OPEN_LEAD_STATUSES
from sheetcrm.analytics.segments import Rule, formula
from sheetcrm.model.changes import ChangeSet, Protect, SetStyles, StyleRule, Unprotect
from sheetcrm.model.grid import TabGrid, column_letter, map_header
from sheetcrm.model.meta import Meta
from sheetcrm.model.vocab import label
from sheetcrm.workbook.filters import plan_filters

if TYPE_CHECKING:
    from sheetcrm.analytics.insights import Insights
    from sheetcrm.crm import CRM

RED, RED_TEXT = "#F4CCCC", "#990000"
GREEN = "#D9EAD3"
SCORE_SCALE = ((0.0, "#F8696B"), (50.0, "#FFEB84"), (100.0, "#63BE7B"))
PROTECTION_PREFIX = "sheetcrm computes "


def _letters(grid: TabGrid, crm: CRM, tab: str) -> dict[str, str]:
    hm = map_header(grid, crm.schema[tab], allow_missing=True)
    return {name: column_letter(col) for name, col in hm.columns.items()}


def _as_shown(crm: CRM, rule: Rule) -> Rule:
    """The rule testing a choice field against its values as the cells may hold them
    (canonical or label): ``status == active`` becomes ``status in (active, فعال)``."""
    if not crm.config.labels:
        return rule
    tab = crm.schema["Customers"]
    conditions = []
    for c in rule.conditions:
        f = tab.get(c.field)
        if f is None or f.type != "enum" or c.op not in ("==", "!=", "in", "not in"):
            conditions.append(c)
            continue
        values = [c.value] if c.op in ("==", "!=") else list(c.value)
        key = f"Customers.{f.name}"
        spelled = tuple(s for v in values for s in spellings(crm, key, str(v)))
        op = {"==": "in", "!=": "not in"}.get(c.op, c.op)
        conditions.append(replace(c, op=op, value=spelled))
    return replace(rule, conditions=tuple(conditions))


def _segment_styles(crm: CRM, grid: TabGrid, ins: Insights) -> list[StyleRule]:
    """A colour per segment rule that has one and whose fields are all in the sheet."""
    letters = _letters(grid, crm, "Customers")
    rules = []
    for rule in ins.segments:
        if rule.color and all(c.field in letters for c in rule.conditions) and rule.conditions:
            text = formula(_as_shown(crm, rule), letters, ins.evaluations.get(rule.name))
            rules.append(
                StyleRule(
                    f"segment {rule.name}", "formula", 0, grid.width, text, rule.color, rule.font
                )
            )
    return rules


def spellings(crm: CRM, key: str, value: str) -> list[str]:
    """How the choice ``value`` of ``key`` (``Leads.status``) may stand in a cell: the
    canonical value, and its label when ``[locale] labels`` shows labels (cells not yet
    relabelled keep their colour)."""
    shown = label(key, value, crm.config.labels) if crm.config.labels else value
    return list(dict.fromkeys([value, shown]))


def _is(crm: CRM, cell: str, key: str, values: tuple[str, ...] | list[str]) -> str:
    """A formula condition: ``cell`` holds one of ``values`` (as canonical or label)."""
    tests = [f'{cell}="{s}"' for v in values for s in spellings(crm, key, v)]
    return tests[0] if len(tests) == 1 else "OR(" + ",".join(tests) + ")"


def _lead_styles(crm: CRM, grid: TabGrid) -> list[StyleRule]:
    """Overdue follow-ups of open leads (``kpis.OPEN_LEAD_STATUSES``), converted leads, and
    the score as a colour scale."""
    lt = _letters(grid, crm, "Leads")
    status, due = f"${lt['status']}2", f"${lt['next_action_date']}2"
    open_ = _is(crm, status, "Leads.status", OPEN_LEAD_STATUSES)
    if not open_.startswith("OR("):
        open_ = f"OR({open_})"
    overdue = f'=AND({due}<>"",{due}<TODAY(),{open_})'
    converted = "=" + _is(crm, status, "Leads.status", ["converted"])
    return [
        StyleRule("overdue follow-up", "formula", 0, grid.width, overdue, RED, RED_TEXT),
        StyleRule("converted", "formula", 0, grid.width, converted, GREEN),
        StyleRule("lead score", "scale", *_col(grid, crm, "Leads", "score"), points=SCORE_SCALE),
    ]


def _task_styles(crm: CRM, grid: TabGrid) -> list[StyleRule]:
    """Overdue tasks, as ``kpis`` defines them: not done by status or checkbox, past due."""
    tt = _letters(grid, crm, "Tasks")
    d, st, done = f"${tt['due_date']}2", f"${tt['status']}2", f"${tt['done']}2"
    not_done = ",".join(f'{st}<>"{s}"' for s in spellings(crm, "Tasks.status", "done"))
    overdue = f'=AND({d}<>"",{d}<TODAY(),{not_done},{done}<>TRUE)'
    return [StyleRule("overdue task", "formula", 0, grid.width, overdue, RED, RED_TEXT)]


def desired_styles(
    crm: CRM, grids: dict[str, TabGrid], ins: Insights
) -> dict[str, list[StyleRule]]:
    """The conditional formats each data tab should carry now."""
    camp = grids["Campaigns"]
    roi = f"${_letters(camp, crm, 'Campaigns')['roi']}2"
    return {
        "Customers": _segment_styles(crm, grids["Customers"], ins),
        "Leads": _lead_styles(crm, grids["Leads"]),
        "Tasks": _task_styles(crm, grids["Tasks"]),
        "Campaigns": [
            StyleRule("losing money", "formula", 0, camp.width, f'=AND({roi}<>"",{roi}<0)', RED)
        ],
    }


def _col(grid: TabGrid, crm: CRM, tab: str, name: str) -> tuple[int, int]:
    col = map_header(grid, crm.schema[tab], allow_missing=True).index(name)
    return col, col + 1


def plan_styles(crm: CRM, grids: dict[str, TabGrid], ins: Insights) -> ChangeSet:
    """Conditional formats and protections to add or remove, and the _meta record of them."""
    changes = ChangeSet()
    meta = Meta.of(grids)
    for tab, rules in desired_styles(crm, grids, ins).items():
        have = grids[tab].layout.styles
        want = {r.signature: r for r in rules}
        install = tuple(r for sig, r in want.items() if sig not in have)
        drop = tuple(sorted(sig for sig in meta.styles(tab) - set(want) if sig in have))
        if install or drop:
            changes.add(SetStyles(tab, install, drop))
        changes.extend(meta.set_styles(tab, want))
        changes.extend(_protections(crm, grids[tab], tab))
    changes.extend(plan_filters(crm, grids).ops)  # the filter buttons, kept by refresh too
    return changes


def _protections(crm: CRM, grid: TabGrid, tab: str) -> list[Protect | Unprotect]:
    hm = map_header(grid, crm.schema[tab], allow_missing=True)
    want = {
        PROTECTION_PREFIX + f.name: (hm.index(f.name), hm.index(f.name) + 1)
        for f in crm.schema[tab].fields
        if f.computed and f.name in hm.columns
    }
    have = grid.layout.protections
    ops: list[Protect | Unprotect] = []
    for desc, span in have.items():
        if desc.startswith(PROTECTION_PREFIX) and want.get(desc) != span:
            ops.append(Unprotect(tab, desc))
    for desc, (first, last) in want.items():
        if have.get(desc) != (first, last):
            ops.append(Protect(tab, desc, first, last))
    return ops
