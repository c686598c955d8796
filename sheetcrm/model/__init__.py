"""The pure core: value codecs, the schema, typed grids, change sets and their diffs, `_meta`.

Nothing here does I/O or knows a backend; every other layer builds on it.
"""
