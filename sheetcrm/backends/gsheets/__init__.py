"""Google Sheets: the backend, its request builders, sign-in, retry policy and endpoint."""
