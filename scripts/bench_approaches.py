"""The approaches the benchmark compares, each written the way its documentation shows:
sheetcrm, naive gspread, gspread-dataframe and hand-batched gspread; ``SCENARIOS`` maps
every scenario to the approaches that take part in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import gspread
from gspread.utils import ValueInputOption

from sheetcrm.workbook.refresh import refresh

from bench_harness import AS_OF, TABS, Data, Record, World, header

RAW = ValueInputOption.raw


def load_sheetcrm(world: World, sid: str, data: Data) -> None:
    crm = world.crm(sid)
    grids = crm.read(layout=True)
    changes = crm.plan_init(grids)
    from sheetcrm.model.grid import TabGrid

    for tab in TABS:
        grid = grids.get(tab) or TabGrid(tab, crm.schema[tab].columns)
        changes.extend(crm.plan_upsert(tab, data[tab], grid=grid).ops)
    crm.backend.apply(changes, crm.schema)


def _cell(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else value


def rows_of(tab: str, records: list[Record]) -> list[list[Any]]:
    cols = header(tab)
    return [cols] + [[_cell(r.get(c)) for c in cols] for r in records]


def prepare_tabs(sh: gspread.Spreadsheet, data: Data) -> None:
    """Tabs sized for the data, with a header row (what every baseline starts from)."""
    first = sh.sheet1
    for i, tab in enumerate(TABS):
        ws = (
            first
            if i == 0
            else sh.add_worksheet(tab, rows=len(data[tab]) + 10, cols=len(header(tab)))
        )
        if i == 0:
            ws.update_title(tab)
            ws.resize(len(data[tab]) + 10, len(header(tab)))
        ws.update([header(tab)], "A1", value_input_option=RAW)


def load_batch(world: World, sid: str, data: Data) -> None:
    sh = world.client().open_by_key(sid)
    prepare_tabs(sh, data)
    sh.values_batch_update(
        {
            "valueInputOption": "RAW",
            "data": [{"range": f"'{tab}'!A1", "values": rows_of(tab, data[tab])} for tab in TABS],
        }
    )


def load_dataframe(world: World, sid: str, data: Data) -> None:
    import pandas as pd
    from gspread_dataframe import set_with_dataframe

    sh = world.client().open_by_key(sid)
    prepare_tabs(sh, data)
    for tab in TABS:
        frame = pd.DataFrame(
            [[_cell(r.get(c)) for c in header(tab)] for r in data[tab]], columns=header(tab)
        )
        set_with_dataframe(sh.worksheet(tab), frame, resize=True)


def load_naive(world: World, sid: str, data: Data) -> None:
    sh = world.client().open_by_key(sid)
    prepare_tabs(sh, data)
    for tab in TABS:
        ws = sh.worksheet(tab)
        for rec in data[tab]:
            ws.append_row([_cell(rec.get(c)) for c in header(tab)], value_input_option=RAW)


def sync_sheetcrm(world: World, sid: str, edits: list[Record], new: list[Record]) -> Any:
    crm = world.crm(sid)
    return crm.upsert("Customers", edits + new)


def sync_dataframe(world: World, sid: str, edits: list[Record], new: list[Record]) -> None:
    import pandas as pd
    from gspread_dataframe import get_as_dataframe, set_with_dataframe

    ws = world.client().open_by_key(sid).worksheet("Customers")
    frame = get_as_dataframe(ws, evaluate_formulas=True, dtype=str)
    frame = frame.dropna(how="all")
    by_id = {e["customer_id"]: e for e in edits}
    mask = frame["customer_id"].isin(list(by_id))
    frame.loc[mask, "city"] = frame.loc[mask, "customer_id"].map(lambda i: by_id[i]["city"])
    frame = pd.concat([frame, pd.DataFrame(new)], ignore_index=True)
    set_with_dataframe(ws, frame.fillna(""), resize=True)


def sync_batch(world: World, sid: str, edits: list[Record], new: list[Record]) -> None:
    sh = world.client().open_by_key(sid)
    values = sh.values_batch_get(["'Customers'"])["valueRanges"][0].get("values", [])
    head = values[0]
    idc, cityc = head.index("customer_id"), head.index("city")
    by_id = {e["customer_id"]: e["city"] for e in edits}
    for row in values[1:]:
        if row and row[idc] in by_id:
            row += [""] * (len(head) - len(row))
            row[cityc] = by_id[row[idc]]
    values += [[_cell(r.get(c)) for c in head] for r in new]
    ws = sh.worksheet("Customers")
    if len(values) > ws.row_count:
        ws.add_rows(len(values) - ws.row_count)
    sh.values_batch_update(
        {"valueInputOption": "RAW", "data": [{"range": "'Customers'!A1", "values": values}]}
    )


def sync_naive(world: World, sid: str, edits: list[Record], new: list[Record]) -> None:
    ws = world.client().open_by_key(sid).worksheet("Customers")
    ids = ws.col_values(1)
    city = header("Customers").index("city") + 1
    for e in edits:
        ws.update_cell(ids.index(e["customer_id"]) + 1, city, e["city"])
    for rec in new:
        ws.append_row([_cell(rec.get(c)) for c in header("Customers")], value_input_option=RAW)


def read_sheetcrm(world: World, sid: str) -> Any:
    crm = world.crm(sid)
    grids = crm.read(list(TABS))
    return {t: crm.frame(t, grids[t]) for t in TABS}


def read_dataframe(world: World, sid: str) -> Any:
    from gspread_dataframe import get_as_dataframe

    sh = world.client().open_by_key(sid)
    return {t: get_as_dataframe(sh.worksheet(t), evaluate_formulas=True) for t in TABS}


def read_batch(world: World, sid: str) -> Any:
    import pandas as pd

    sh = world.client().open_by_key(sid)
    ranges = [f"'{t}'" for t in TABS]
    response = sh.values_batch_get(ranges, params={"valueRenderOption": "UNFORMATTED_VALUE"})
    blocks = response["valueRanges"]
    out = {}
    for tab, block in zip(TABS, blocks, strict=True):
        values = block.get("values", [[]])
        width = len(values[0])
        out[tab] = pd.DataFrame(
            [r + [None] * (width - len(r)) for r in values[1:]], columns=values[0]
        )
    return out


def refresh_sheetcrm(world: World, sid: str) -> Any:
    return refresh(world.crm(sid), AS_OF)


def refresh_dataframe(world: World, sid: str) -> None:
    """The usual way: read the tab, compute the same columns in pandas, write it all back."""
    from gspread_dataframe import get_as_dataframe, set_with_dataframe

    from sheetcrm.analytics.customers import customer_metrics

    sh = world.client().open_by_key(sid)
    frames = read_sheetcrm(world, sid)
    metrics = customer_metrics(frames["Customers"], frames["Interactions"], AS_OF)
    ws = sh.worksheet("Customers")
    frame = get_as_dataframe(ws, evaluate_formulas=True, dtype=str).dropna(how="all")
    for col in metrics.columns:
        frame[col] = frame["customer_id"].map(metrics[col])
    set_with_dataframe(ws, frame.astype(object).where(frame.notna(), ""), resize=True)


SCENARIOS: dict[str, dict[str, Callable[..., Any]]] = {
    "initial load": {
        "sheetcrm": load_sheetcrm,
        "naive": load_naive,
        "dataframe": load_dataframe,
        "batch": load_batch,
    },
    "incremental sync (1% changed, 0.5% new)": {
        "sheetcrm": sync_sheetcrm,
        "naive": sync_naive,
        "dataframe": sync_dataframe,
        "batch": sync_batch,
    },
    "no-change re-run": {
        "sheetcrm": lambda w, s, e, n: sync_sheetcrm(w, s, e, []),
        "dataframe": lambda w, s, e, n: sync_dataframe(w, s, [], []),
        "batch": lambda w, s, e, n: sync_batch(w, s, [], []),
    },
    "refresh": {"sheetcrm": refresh_sheetcrm, "dataframe": refresh_dataframe},
    "full read into DataFrames": {
        "sheetcrm": read_sheetcrm,
        "dataframe": read_dataframe,
        "batch": read_batch,
    },
}
