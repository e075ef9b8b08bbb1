"""Questionnaire definitions: schema, loader, conditions, coverage and diff (pure, no database)."""
