"""Assessments: one vendor's answers to one questionnaire version, from sending to completion."""
