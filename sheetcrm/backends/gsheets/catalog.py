"""What a Google Sheets backend knows about a spreadsheet's tabs, learned from responses
to requests it sends anyway.

A whole-tab ``values.batchGet`` proves the tab exists and echoes its grid size; a
``spreadsheets.get`` adds sheet ids (and, when asked, conditional formats and protected
ranges). The catalog says a tab is absent only when it is ``complete`` (the last full
listing named every tab), so a fresh backend never mistakes "not seen yet" for "missing".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sheetcrm.backends.gsheets.reads import grid_size, style_signature

#: Fields of a full listing; with ``LAYOUT_FIELDS`` it also says what styles to replace.
LISTING_FIELDS = "properties(sheetId,title,hidden,gridProperties)"
LAYOUT_FIELDS = "conditionalFormats,protectedRanges(protectedRangeId,description)"


@dataclass
class SheetInfo:
    """One tab: its id (None when seen only through a values range), grid size and
    whether it is hidden."""

    title: str
    sheet_id: int | None
    rows: int
    cols: int
    hidden: bool = False


class Catalog:
    """Tabs by title, plus the rule indexes and protection ids sheetcrm replaces by key."""

    def __init__(self) -> None:
        self.sheets: dict[str, SheetInfo] = {}
        self.complete = False
        self.styles: dict[str, dict[str, int]] = {}  # tab → signature → rule index
        self.protections: dict[str, dict[str, int]] = {}  # tab → description → id

    def exists(self, title: str) -> bool | None:
        """True or False when known, None when this backend has not seen enough to say."""
        if title in self.sheets:
            return True
        return False if self.complete else None

    def has_id(self, title: str) -> bool:
        info = self.sheets.get(title)
        return info is not None and info.sheet_id is not None

    def sheet_id(self, title: str) -> int:
        sheet_id = self.sheets[title].sheet_id
        if sheet_id is None:
            raise KeyError(f"no sheet id known for {title!r}")
        return sheet_id

    def taken_ids(self) -> set[int]:
        return {s.sheet_id for s in self.sheets.values() if s.sheet_id is not None}

    def listing(self, sheets: list[dict[str, Any]], *, layout: bool) -> None:
        """A ``spreadsheets.get`` without ranges: every tab there is."""
        self.sheets = {}
        for sheet in sheets:
            self.learn(sheet, layout=layout)
        self.complete = True

    def learn(self, sheet: dict[str, Any], *, layout: bool) -> None:
        """One sheet of a ``spreadsheets.get`` response (with layout fields if ``layout``)."""
        props = sheet["properties"]
        grid = props.get("gridProperties", {})
        title = props["title"]
        self.sheets[title] = SheetInfo(
            title,
            props["sheetId"],
            grid.get("rowCount", 0),
            grid.get("columnCount", 0),
            bool(props.get("hidden", False)),
        )
        if layout:
            rules = sheet.get("conditionalFormats", [])
            self.styles[title] = {style_signature(r): i for i, r in enumerate(rules)}
            self.protections[title] = {
                pr.get("description", ""): pr["protectedRangeId"]
                for pr in sheet.get("protectedRanges", [])
                if "protectedRangeId" in pr
            }

    def learn_range(self, title: str, echoed: str | None) -> None:
        """A whole-tab read of ``title`` came back: it exists, with the grid it echoes."""
        size = grid_size(echoed)
        if size is None:
            return
        info = self.sheets.get(title)
        if info is None:
            self.sheets[title] = SheetInfo(title, None, *size)
        else:
            info.rows, info.cols = size

    def add(self, title: str, sheet_id: int, rows: int, cols: int) -> None:
        """A tab this run creates."""
        self.sheets[title] = SheetInfo(title, sheet_id, rows, cols)
        self.styles[title] = {}
        self.protections[title] = {}
