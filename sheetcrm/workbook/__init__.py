"""What sheetcrm writes into the workbook besides records: computed columns, styles, dashboard."""
