"""Sales channel drivers: API clients and report-file readers, pure of the database."""
