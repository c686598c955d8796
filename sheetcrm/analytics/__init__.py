"""Figures from frames (pandas only): customers, leads, campaigns, tasks, segments, KPIs.

Functions take data frames and return frames or values; they never see a CRM or a backend,
and they import nothing of sheetcrm but the model.
"""
