"""Consistent backups of the database and the evidence store, and verified restores."""
