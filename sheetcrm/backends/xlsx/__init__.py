"""The local ``.xlsx`` backend (openpyxl): the embedded default, ``crm.xlsx``.

Reads stream the file in read-only mode; writes load it fully, apply the ChangeSet through
the shared adapter rules, and save atomically (temp file in the same folder, fsync, rename),
so a crash or a bad value never leaves a half-written workbook. Text is written as text:
a value starting with ``=`` stays a literal string (and gets Excel's quote prefix), dates
are real dates with a date format, and existing formulas are kept.

``backend`` is the backend; ``sheet`` adapts a workbook to the shared write rules;
``cells`` types values in and out; ``layout`` reads and writes presentation (dropdowns,
formats, colours, notes); ``charts`` keeps and redraws the declared charts. Only this
package imports openpyxl.
"""

from __future__ import annotations

from sheetcrm.backends.xlsx.backend import XlsxBackend
from sheetcrm.backends.xlsx.cells import column_width, needs_quote_prefix

__all__ = ["XlsxBackend", "column_width", "needs_quote_prefix"]
