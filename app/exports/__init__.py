"""Spreadsheet and document exports."""
