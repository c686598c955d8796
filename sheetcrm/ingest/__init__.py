"""Getting records in and out: file readers, column mapping, merge, sync state, import, export."""
