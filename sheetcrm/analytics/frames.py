"""Frame helpers every analytics module shares: typed columns (numbers, moments, days) out of
the object-dtype frames ``CRM.frame`` returns, and records back out for ``diff_tab``.

Tab frames keep blanks as ``None`` and typed values as Python objects, and a teammate may
delete any column; these helpers turn what is there into something pandas can add up and
give an all-blank column for what is not, so no KPI needs a special case for either.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, cast

import numpy as np
import pandas as pd

from sheetcrm.errors import ValueParseError
from sheetcrm.model.codecs import CODECS


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``frame``, or an all-blank one of its length when the tab has none."""
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def num(series: pd.Series) -> pd.Series:
    """Numbers (NaN for blanks and text that is not one)."""
    return pd.to_numeric(series, errors="coerce")


def moment(series: pd.Series) -> pd.Series[pd.Timestamp]:
    """Timestamps as written in the workbook (NaT for blanks and unparseable text).

    Text is read by the date codec, as every date in sheetcrm is: what it refuses (a
    teammate's "5 Mar", "Friday") is NaT, where pandas alone would make "5 Mar" the year 1.
    """
    if series.dtype == object and any(isinstance(v, str) for v in series):
        series = series.map(_read_text)
    return pd.to_datetime(series, errors="coerce")


def _read_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return CODECS["datetime"].parse(value)
    except ValueParseError:
        return None


def day(series: pd.Series) -> pd.Series[pd.Timestamp]:
    """The calendar day of each value, as a midnight timestamp."""
    return moment(series).dt.normalize()


def as_date(value: Any) -> dt.date | None:
    """A cell's calendar day (a datetime loses its time), or None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def number(value: Any) -> float | None:
    """A number that can be divided by: None for blank or unparseable, zero stays zero."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def blank_none(value: Any) -> Any:
    """A frame value as a plain Python cell value: NaN/NaT become None, numpy becomes Python."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as dicts (tab frames have text column names)."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def as_records(frame: pd.DataFrame, id_field: str) -> list[dict[str, Any]]:
    """Frame rows as records for ``diff_tab``, the index as the ID field."""
    out = []
    for rid, row in zip(frame.index, frame.to_dict("records"), strict=True):
        rec: dict[str, Any] = {id_field: rid}
        rec.update({str(k): blank_none(v) for k, v in row.items()})
        out.append(rec)
    return out
