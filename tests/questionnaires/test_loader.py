"""The loader refuses every broken definition with a problem naming file, line and key."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from app.questionnaires.loader import (
    MAX_BYTES,
    Problem,
    QuestionnaireError,
    canonical_json,
    content_hash,
    definition_dict,
    load_all,
    load_questionnaire,
    parse_questionnaire,
    validate_definition,
)
from app.questionnaires.schema import Questionnaire

VALID = textwrap.dedent(
    """\
    key: sample
    version: 1
    title: Sample questionnaire
    sections:
      - key: basics
        title: Basics
        questions:
          - key: basics.role
            text: Which role do you hold?
            type: single_choice
            options:
              - {value: provider, label: Provider}
              - {value: deployer, label: Deployer}
              - {value: none, label: None}
          - key: basics.policy
            text: Do you have an AI policy?
            type: maturity
            critical: true
            weight: 2
            levels:
              0: none
              1: ad hoc
              2: partial
              3: documented
              4: measured
              5: improving
            evidence: {kinds: [policy], required_from_level: 3}
            refs: {iso42001: [A.2.2, "5.2"], dora: ["Art. 30(2)(c)"]}
          - key: basics.detail
            text: Describe your provider duties.
            type: text
            show_if: {question: basics.role, equals: provider}
    """
)


def fail(text: str, name: str = "q.yaml") -> list[Problem]:
    """Parse text that must be refused; return the problems."""
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text, name)
    assert caught.value.problems, "an error must carry at least one problem"
    return caught.value.problems


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing needle."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def test_valid_definition_loads() -> None:
    questionnaire = parse_questionnaire(VALID, "q.yaml")
    assert isinstance(questionnaire, Questionnaire)
    assert [q.key for q in questionnaire.questions()] == [
        "basics.role",
        "basics.policy",
        "basics.detail",
    ]
    assert questionnaire.question("basics.policy").refs.iso42001 == ["A.2.2", "5.2"]


def test_load_questionnaire_from_file(tmp_path: Path) -> None:
    path = tmp_path / "v1.yaml"
    path.write_text(VALID)
    assert load_questionnaire(path).key == "sample"


def test_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(tmp_path / "absent.yaml")
    assert caught.value.problems[0].file.endswith("absent.yaml")


# --- YAML level --------------------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line() -> None:
    text = VALID.replace("title: Basics", "title: [Basics")
    [problem] = fail(text)
    assert problem.file == "q.yaml"
    assert problem.message.startswith("YAML")
    assert problem.line is not None and problem.line >= line_of(text, "title: [Basics")


def test_duplicate_mapping_key_is_refused() -> None:
    text = VALID.replace("    title: Basics\n", "    title: Basics\n    title: Again\n")
    [problem] = fail(text)
    assert problem.line == line_of(text, "title: Again")
    assert "duplicate key 'title'" in problem.message


def test_anchors_and_aliases_are_refused() -> None:
    text = VALID.replace("title: Sample questionnaire", "title: &t Sample") + "description: *t\n"
    [problem] = fail(text)
    assert "anchors and aliases" in problem.message
    assert problem.line == line_of(text, "&t")


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for n, prev in zip("bcdefghij", "abcdefghi", strict=True):
        bomb += (
            f"{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        )
    [problem] = fail(bomb)
    assert "anchors and aliases" in problem.message


def test_python_tags_are_refused() -> None:
    text = VALID.replace("title: Sample questionnaire", "title: !!python/object/apply:os.getcwd []")
    [problem] = fail(text)
    assert problem.message.startswith("YAML")
    assert problem.line == line_of(text, "python/object")


def test_file_over_two_megabytes_is_refused(tmp_path: Path) -> None:
    big = VALID + "#" + "x" * MAX_BYTES + "\n"
    [problem] = fail(big)
    assert "larger than 2 MB" in problem.message
    path = tmp_path / "big.yaml"
    path.write_text(big)
    with pytest.raises(QuestionnaireError, match="larger than 2 MB"):
        load_questionnaire(path)


def test_non_utf8_bytes_are_refused() -> None:
    with pytest.raises(QuestionnaireError, match="not UTF-8"):
        parse_questionnaire(b"key: \xff\xfe", "upload.yaml")


def test_top_level_must_be_a_mapping() -> None:
    [problem] = fail("- just\n- a list\n")
    assert "must be a mapping" in problem.message


def test_yes_and_no_stay_strings() -> None:
    text = VALID.replace("{value: none, label: None}", "{value: no, label: No}")
    text = text.replace("{value: deployer, label: Deployer}", "{value: yes, label: Yes}")
    questionnaire = parse_questionnaire(text, "q.yaml")
    assert [o.value for o in questionnaire.question("basics.role").options] == [
        "provider",
        "yes",
        "no",
    ]


# --- schema level --------------------------------------------------------------------------------


def test_unknown_field_names_line_and_question() -> None:
    text = VALID.replace("        weight: 2\n", "        weight: 2\n        colour: red\n")
    [problem] = fail(text)
    assert (problem.file, problem.line, problem.key) == (
        "q.yaml",
        line_of(text, "colour"),
        "basics.policy",
    )
    assert "unknown field 'colour'" in problem.message


def test_missing_question_text_names_the_question() -> None:
    text = VALID.replace("        text: Describe your provider duties.\n", "")
    [problem] = fail(text)
    assert problem.key == "basics.detail"
    assert "missing required field 'text'" in problem.message
    assert problem.line == line_of(text, "- key: basics.detail")


@pytest.mark.parametrize("weight", ["0", "-1", ".nan"])
def test_weight_must_be_positive(weight: str) -> None:
    text = VALID.replace("weight: 2", f"weight: {weight}")
    [problem] = fail(text)
    assert problem.key == "basics.policy"
    assert problem.line == line_of(text, "weight:")
    assert problem.message.startswith("weight:")


def test_option_level_must_be_within_0_to_5() -> None:
    text = VALID.replace(
        "{value: provider, label: Provider}", "{value: provider, label: Provider, level: 6}"
    )
    [problem] = fail(text)
    assert problem.key == "basics.role"
    assert problem.line == line_of(text, "level: 6")
    assert "options[0].level" in problem.message


def test_level_descriptor_outside_0_to_5_is_refused() -> None:
    text = VALID.replace(
        "          5: improving\n", "          5: improving\n          7: beyond\n"
    )
    problems = fail(text)
    assert any(p.key == "basics.policy" and "levels" in p.message for p in problems)


def test_question_key_pattern_is_enforced() -> None:
    text = VALID.replace("key: basics.detail", "key: Basics Detail")
    [problem] = fail(text)
    assert problem.key == "Basics Detail"
    assert problem.line == line_of(text, "key: Basics Detail")
    assert problem.message.startswith("key:")


def test_unknown_question_type_is_refused() -> None:
    text = VALID.replace("type: text", "type: essay")
    [problem] = fail(text)
    assert problem.key == "basics.detail"
    assert problem.line == line_of(text, "type: essay")


def test_unquoted_clause_number_gets_a_hint() -> None:
    text = VALID.replace('[A.2.2, "5.2"]', "[A.2.2, 5.2]")
    [problem] = fail(text)
    assert problem.key == "basics.policy"
    assert "put the value in quotes" in problem.message
    assert problem.line == line_of(text, "refs:")


def test_malformed_condition_is_refused() -> None:
    text = VALID.replace(
        "{question: basics.role, equals: provider}", "{question: basics.role, is: provider}"
    )
    [problem] = fail(text)
    assert problem.key == "basics.detail"
    assert "equals, in, includes, all, any" in problem.message


# --- cross-question rules ------------------------------------------------------------------------


def test_duplicate_question_key_points_at_the_second() -> None:
    text = VALID.replace("key: basics.policy", "key: basics.role")
    [problem] = fail(text)
    assert problem.key == "basics.role"
    assert problem.line == line_of(text, "key: basics.role", occurrence=2)
    assert "duplicate question key" in problem.message


def test_duplicate_section_key() -> None:
    text = VALID + textwrap.indent(
        textwrap.dedent(
            """\
            - key: basics
              title: Again
              questions:
                - {key: again.one, text: One, type: text}
            """
        ),
        "  ",
    )
    [problem] = fail(text)
    assert problem.key == "basics"
    section_lines = [n for n, line in enumerate(text.splitlines(), 1) if line == "  - key: basics"]
    assert problem.line == section_lines[1]
    assert "duplicate section key" in problem.message


def test_unknown_reference_with_suggestion() -> None:
    text = VALID.replace("A.2.2", "A.2.22").replace("Art. 30(2)(c)", "Art 30(2)(c)")
    problems = fail(text)
    messages = sorted(p.message for p in problems)
    assert all(p.key == "basics.policy" and p.line == line_of(text, "refs:") for p in problems)
    assert messages == [
        "unknown dora reference 'Art 30(2)(c)' (did you mean 'Art. 30(2)(c)'?)",
        "unknown iso42001 reference 'A.2.22' (did you mean 'A.2.2'?)",
    ]


def test_unknown_reference_framework_is_refused() -> None:
    text = VALID.replace("dora: [", "gdpr: [")
    [problem] = fail(text)
    assert "unknown field 'gdpr'" in problem.message


def test_show_if_must_point_backwards() -> None:
    text = VALID.replace("key: basics.role", "key: basics.first", 1).replace(
        "{question: basics.role, equals: provider}", "{question: basics.detail, equals: provider}"
    )
    [problem] = fail(text)
    assert problem.key == "basics.detail"
    assert "the question itself" in problem.message
    text = VALID.replace(
        "        type: maturity\n",
        "        type: maturity\n        show_if: {question: basics.detail, equals: x}\n",
    )
    [problem] = fail(text)
    assert problem.key == "basics.policy"
    assert "a later question 'basics.detail'" in problem.message
    assert problem.line == line_of(text, "show_if: {question: basics.detail")


def test_show_if_unknown_question() -> None:
    text = VALID.replace(
        "{question: basics.role, equals: provider}", "{question: basics.nope, equals: provider}"
    )
    [problem] = fail(text)
    assert "an unknown question 'basics.nope'" in problem.message


def test_show_if_value_must_be_an_option() -> None:
    text = VALID.replace("equals: provider}", "equals: importer}")
    [problem] = fail(text)
    assert problem.key == "basics.detail"
    assert "'importer' is not an answer of 'basics.role'" in problem.message
    assert problem.line == line_of(text, "show_if:")


def test_show_if_includes_needs_multi_choice() -> None:
    text = VALID.replace("equals: provider}", "includes: provider}")
    [problem] = fail(text)
    assert "'includes' needs a multi_choice question" in problem.message


def test_show_if_on_multi_choice_needs_includes() -> None:
    text = VALID.replace("type: single_choice", "type: multi_choice")
    [problem] = fail(text)
    assert "test it with 'includes'" in problem.message


def test_show_if_maturity_levels_and_nested_conditions() -> None:
    text = VALID.replace(
        "{question: basics.role, equals: provider}",
        "{all: [{question: basics.role, equals: provider}, {any: [{question: basics.policy, in: [3, 9]}]}]}",
    )
    [problem] = fail(text)
    assert "9 is not an answer of 'basics.policy'" in problem.message


def test_maturity_question_needs_all_six_levels() -> None:
    text = VALID.replace("          4: measured\n", "")
    [problem] = fail(text)
    assert problem.key == "basics.policy"
    assert problem.line == line_of(text, "levels:")
    assert "missing 4" in problem.message


def test_option_values_must_be_unique() -> None:
    text = VALID.replace("{value: deployer, label: Deployer}", "{value: provider, label: Again}")
    [problem] = fail(text)
    assert problem.key == "basics.role"
    assert problem.line == line_of(text, "label: Again")
    assert "duplicate option value 'provider'" in problem.message


def test_choice_needs_two_options_and_text_takes_none() -> None:
    text = VALID.replace("          - {value: deployer, label: Deployer}\n", "").replace(
        "          - {value: none, label: None}\n", ""
    )
    assert "at least two options" in fail(text)[0].message
    text = VALID.replace(
        "        type: text\n",
        "        type: text\n        options: [{value: a, label: A}]\n",
    )
    assert "takes no options" in fail(text)[0].message


def test_critical_question_must_be_scored() -> None:
    text = VALID.replace("        type: text\n", "        type: text\n        critical: true\n")
    [problem] = fail(text)
    assert problem.key == "basics.detail"
    assert "critical question must be scored" in problem.message


def test_evidence_rules() -> None:
    text = VALID.replace("type: text", "type: evidence_only")
    assert "needs an evidence block" in fail(text)[0].message
    text = VALID.replace("required_from_level: 3", "required_from_level: 6")
    assert fail(text)[0].key == "basics.policy"
    text = VALID.replace(
        "        type: text\n",
        "        type: text\n        evidence: {kinds: [record]}\n",
    )
    assert "required_from_level must be 0" in fail(text)[0].message


def test_required_from_level_above_reachable_level() -> None:
    text = VALID.replace(
        "{value: provider, label: Provider}", "{value: provider, label: Provider, level: 2}"
    ).replace(
        "          - {value: none, label: None}\n",
        "          - {value: none, label: None}\n        evidence: {kinds: [record], required_from_level: 4}\n",
    )
    [problem] = fail(text)
    assert problem.key == "basics.role"
    assert "never be asked for" in problem.message


def test_group_fields_rules() -> None:
    text = VALID.replace("type: text", "type: group")
    assert "needs at least one field" in fail(text)[0].message
    text = VALID.replace(
        "        type: text\n",
        "        type: text\n        fields: [{key: name, text: Name, type: text}]\n",
    )
    assert "only group questions take fields" in fail(text)[0].message
    text = VALID.replace(
        "        type: text\n",
        "        type: group\n        fields: [{key: name, text: Name, type: text}, {key: name, text: Again, type: text}]\n",
    )
    assert "duplicate field key 'name'" in fail(text)[0].message


def test_every_problem_is_reported_at_once() -> None:
    text = VALID.replace("A.2.2", "A.2.9").replace("equals: provider}", "equals: importer}")
    text = text.replace("          4: measured\n", "")
    problems = fail(text)
    assert {p.key for p in problems} == {"basics.policy", "basics.detail"}
    assert len(problems) == 3
    assert str(problems[0]).startswith("q.yaml:")


# --- dicts, hashes and directories ---------------------------------------------------------------


def test_definition_round_trips_through_json() -> None:
    questionnaire = parse_questionnaire(VALID, "q.yaml")
    again = validate_definition(definition_dict(questionnaire))
    assert again == questionnaire
    assert canonical_json(again) == canonical_json(questionnaire)


def test_validate_definition_applies_cross_question_rules() -> None:
    data = definition_dict(parse_questionnaire(VALID, "q.yaml"))
    data["sections"][0]["questions"][1]["key"] = "basics.role"
    with pytest.raises(QuestionnaireError) as caught:
        validate_definition(data, "db")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.key) == ("db", None, "basics.role")


def test_content_hash_ignores_formatting_but_not_content(tmp_path: Path) -> None:
    path = tmp_path / "v1.yaml"
    path.write_text(VALID)
    digest = content_hash(path)
    assert digest == hashlib.sha256(canonical_json(parse_questionnaire(VALID))).hexdigest()
    assert content_hash(str(path)) == digest
    reformatted = "# a comment\n" + VALID.replace("version: 1\ntitle:", "title:").replace(
        "key: sample\n", "key: sample\nversion: 1\n"
    )
    assert content_hash(reformatted.encode()) == digest
    assert content_hash(parse_questionnaire(VALID)) == digest
    assert content_hash(VALID.replace("AI policy?", "AI policy now?").encode()) != digest


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_load_all_reads_every_file(tmp_path: Path) -> None:
    write(tmp_path, "sample/v1.yaml", VALID)
    write(tmp_path, "sample/v2.yaml", VALID.replace("version: 1", "version: 2"))
    loaded = load_all(tmp_path)
    assert [(q.key, q.version) for q in loaded] == [("sample", 1), ("sample", 2)]


def test_load_all_collects_problems_of_all_files(tmp_path: Path) -> None:
    write(tmp_path, "a/v1.yaml", VALID.replace("A.2.2", "A.2.9"))
    write(
        tmp_path,
        "b/v1.yaml",
        VALID.replace("key: sample", "key: other").replace("weight: 2", "weight: 0"),
    )
    write(tmp_path, "c/v1.yaml", VALID.replace("key: sample", "key: fine"))
    with pytest.raises(QuestionnaireError) as caught:
        load_all(tmp_path)
    files = sorted(Path(p.file).parent.name for p in caught.value.problems)
    assert files == ["a", "b"]


def test_load_all_refuses_two_files_with_the_same_version(tmp_path: Path) -> None:
    write(tmp_path, "sample/v1.yaml", VALID)
    write(tmp_path, "sample/copy.yaml", VALID)
    with pytest.raises(QuestionnaireError, match="sample version 1 is also defined"):
        load_all(tmp_path)


def test_group_field_options() -> None:
    text = VALID.replace(
        "        type: text\n",
        "        type: group\n        fields: [{key: ok, text: OK, type: yes_no_na}]\n",
    )
    field = parse_questionnaire(text).question("basics.detail").fields[0]
    assert [o.value for o in field.options] == ["yes", "no", "na"]
    text = VALID.replace(
        "        type: text\n",
        "        type: group\n        fields: [{key: ok, text: OK, type: yes_no_na, options: [{value: maybe, label: M}]}]\n",
    )
    [problem] = fail(text)
    assert problem.key == "basics.detail"
    assert "fields[0].options" not in problem.message  # cross-question rule: plain message
    assert "yes_no_na options must be yes, no" in problem.message
    assert problem.line == line_of(text, "fields:")
