"""Differences between two versions of a questionnaire."""

from __future__ import annotations

import textwrap

from app.questionnaires.diff import diff_questionnaires, render_diff
from app.questionnaires.loader import parse_questionnaire

OLD = textwrap.dedent(
    """\
    key: sample
    version: 1
    title: Sample
    sections:
      - key: one
        title: One
        questions:
          - {key: one.keep, text: Kept, type: text}
          - {key: one.reword, text: Old wording, type: text}
          - {key: one.weight, text: Weighted, type: yes_no_na, weight: 1}
          - {key: one.drop, text: Dropped, type: text}
      - key: two
        title: Two
        questions:
          - {key: two.move, text: Moves, type: text}
    """
)

NEW = textwrap.dedent(
    """\
    key: sample
    version: 2
    title: Sample
    sections:
      - key: one
        title: One
        questions:
          - {key: one.keep, text: Kept, type: text}
          - {key: one.reword, text: New wording, type: text, help: Now with help}
          - {key: one.weight, text: Weighted, type: yes_no_na, weight: 2}
          - {key: two.move, text: Moves, type: text}
          - {key: one.add, text: Added, type: text}
      - key: three
        title: Three
        questions:
          - {key: three.add, text: Added too, type: text}
    """
)


def test_identical_versions_have_no_differences() -> None:
    old = parse_questionnaire(OLD)
    diff = diff_questionnaires(old, parse_questionnaire(OLD))
    assert diff.is_empty
    assert render_diff(diff, old, old).endswith("no differences")


def test_added_removed_and_changed_questions() -> None:
    old, new = parse_questionnaire(OLD), parse_questionnaire(NEW)
    diff = diff_questionnaires(old, new)
    assert diff.added == ["one.add", "three.add"]
    assert diff.removed == ["one.drop"]
    assert diff.changed == [
        ("one.reword", ["text", "help"]),
        ("one.weight", ["weight"]),
        ("two.move", ["section"]),
    ]
    assert diff.metadata == ["version"]
    assert diff.sections_added == ["three"]
    assert diff.sections_removed == ["two"]
    assert diff.scoring_changed == ["one.weight"]
    assert not diff.is_empty


def test_reverse_diff_swaps_added_and_removed() -> None:
    old, new = parse_questionnaire(OLD), parse_questionnaire(NEW)
    diff = diff_questionnaires(new, old)
    assert diff.added == ["one.drop"]
    assert diff.removed == ["one.add", "three.add"]


def test_rendering_lists_every_change() -> None:
    old, new = parse_questionnaire(OLD), parse_questionnaire(NEW)
    text = render_diff(diff_questionnaires(old, new), old, new)
    lines = text.splitlines()
    assert lines[0] == "sample v1 -> sample v2"
    assert "+ one.add" in lines
    assert "- one.drop" in lines
    assert "+ section three" in lines
    assert "! one.weight: weight" in lines
    assert "~ one.reword: text, help" in lines
    assert lines[-1] == "2 added, 1 removed, 3 changed (1 affecting scores)"
