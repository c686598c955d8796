"""The exports people have, as presets: which columns a platform's report has, which field
each feeds and what its rows become; and which preset a file's header says it is.

``PRESETS`` holds every preset by name; ``detect_preset`` picks one from a header when
``--preset`` is absent.
"""

from __future__ import annotations

from collections.abc import Iterable

from sheetcrm.ingest.mapping import PRESETS, Preset
from sheetcrm.model.values import normalize_token

__all__ = ["PRESETS", "Preset", "detect_preset"]


def detect_preset(columns: Iterable[str]) -> Preset | None:
    """The preset whose signature headers the file has, all of them (the one with the
    longest signature when several match), or None."""
    have = {normalize_token(c) for c in columns}
    best: Preset | None = None
    for preset in PRESETS.values():
        sig = preset.signature
        matches = bool(sig) and all(normalize_token(h) in have for h in sig)
        if matches and (best is None or len(sig) > len(best.signature)):
            best = preset
    return best
