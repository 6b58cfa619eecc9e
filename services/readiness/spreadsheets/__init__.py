"""Spreadsheets: locations imported from CSV (all or nothing), the readiness matrix exported."""
