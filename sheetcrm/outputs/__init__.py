"""What sheetcrm hands to people: summaries, reports, charts, reminders, e-mail."""
