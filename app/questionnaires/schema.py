"""The shape of a questionnaire definition file, and the scoring facts each question carries.

Field-level rules live here (pydantic); rules that look across questions (unique keys, show_if
pointing backwards, known references) live in `check_definition`, so both the YAML loader and a
definition read back from the database get the same verdict.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    model_serializer,
    model_validator,
)

from app.questionnaires.references import REFERENCES

Loc = tuple[str | int, ...]

KEY_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"
SLUG_PATTERN = r"^[a-z0-9]+([_-][a-z0-9]+)*$"
FIELD_KEY_PATTERN = r"^[a-z0-9_]+$"
MAX_LEVEL = 5
YES_NO_NA = ("yes", "no", "na")
_YNN_LABELS = (("yes", "Yes"), ("no", "No"), ("na", "Not applicable"))

# Facts the buyer sets, which show_if tests like a multi_choice answer ("includes"). The buyer's
# AI Act classes are those it records on the vendor's AI systems in its register, so high-risk
# questions appear when either side classifies a system high-risk.
CONTEXT_FACTS: dict[str, frozenset[str]] = {
    "buyer.ai_act_classes": frozenset({"prohibited", "high", "limited", "minimal", "unknown"}),
}


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        populate_by_name=True,
        serialize_by_alias=True,
        allow_inf_nan=False,
    )


class QuestionType(StrEnum):
    single_choice = "single_choice"
    multi_choice = "multi_choice"
    yes_no_na = "yes_no_na"
    maturity = "maturity"
    text = "text"
    number = "number"
    date = "date"
    evidence_only = "evidence_only"
    group = "group"


CHOICE_TYPES = frozenset({QuestionType.single_choice, QuestionType.multi_choice})
OPTION_TYPES = CHOICE_TYPES | {QuestionType.yes_no_na}
# Question types whose answer a show_if condition may test.
CONDITION_TARGET_TYPES = OPTION_TYPES | {QuestionType.maturity}


class EvidenceKind(StrEnum):
    policy = "policy"
    procedure = "procedure"
    record = "record"
    report = "report"
    certificate = "certificate"
    contract = "contract"


Level = Annotated[int, Field(ge=0, le=MAX_LEVEL)]
# A level a vendor can claim with evidence: level 0 ("no process") never names a file.
EvidenceLevel = Annotated[int, Field(ge=1, le=MAX_LEVEL)]
ExampleLine = Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\n]*$")]
Scalar = str | int | float | bool


class Option(_Strict):
    value: Annotated[str, Field(min_length=1, max_length=100, pattern=FIELD_KEY_PATTERN)]
    label: Annotated[str, Field(min_length=1, max_length=500)]
    level: Level | None = None


class Evidence(_Strict):
    kinds: Annotated[list[EvidenceKind], Field(min_length=1)]
    required_from_level: Level = 3
    expires: bool = False


class Refs(_Strict):
    iso42001: list[str] = []
    dora: list[str] = []
    ai_act: list[str] = []
    nist_ai_rmf: list[str] = []

    def items(self) -> Iterator[tuple[str, str]]:
        """(framework, id) pairs in file order."""
        for framework in ("iso42001", "dora", "ai_act", "nist_ai_rmf"):
            for ref_id in getattr(self, framework):
                yield framework, ref_id


# --- show_if conditions ---------------------------------------------------------------------------


class Equals(_Strict):
    question: str
    equals: Scalar


class In(_Strict):
    question: str
    in_: Annotated[list[Scalar], Field(alias="in", min_length=1)]


class Includes(_Strict):
    question: str
    includes: Scalar


class All(_Strict):
    all: Annotated[list[Condition], Field(min_length=1)]


class AnyOf(_Strict):
    any: Annotated[list[Condition], Field(min_length=1)]


_CONDITION_TAGS = ("equals", "in", "includes", "all", "any")


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((tag for tag in _CONDITION_TAGS if tag in value), None)
    return {Equals: "equals", In: "in", Includes: "includes", All: "all", AnyOf: "any"}.get(
        type(value)
    )


Condition = Annotated[
    Annotated[Equals, Tag("equals")]
    | Annotated[In, Tag("in")]
    | Annotated[Includes, Tag("includes")]
    | Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")],
    Discriminator(
        _condition_tag,
        custom_error_type="invalid_condition",
        custom_error_message="a condition needs one of: equals, in, includes, all, any",
    ),
]
All.model_rebuild()
AnyOf.model_rebuild()


def condition_targets(condition: Condition) -> Iterator[Equals | In | Includes]:
    """The leaf tests of a condition, depth first."""
    if isinstance(condition, All):
        for inner in condition.all:
            yield from condition_targets(inner)
    elif isinstance(condition, AnyOf):
        for inner in condition.any:
            yield from condition_targets(inner)
    else:
        yield condition


# --- questions ------------------------------------------------------------------------------------


def _default_yes_no_na_options(data: Any) -> Any:
    """A yes_no_na question without options offers yes, no and N/A, none of them scored."""
    if isinstance(data, dict) and data.get("type") == "yes_no_na" and not data.get("options"):
        return {**data, "options": [dict(value=v, label=label) for v, label in _YNN_LABELS]}
    return data


class GroupField(_Strict):
    """One column of a repeatable group row: a plain sub-question, never scored or conditional."""

    key: Annotated[str, Field(pattern=FIELD_KEY_PATTERN, max_length=100)]
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    help: str | None = None
    type: Literal[
        QuestionType.single_choice,
        QuestionType.multi_choice,
        QuestionType.yes_no_na,
        QuestionType.text,
        QuestionType.number,
        QuestionType.date,
    ]
    required: bool = True
    options: list[Option] = []

    @model_validator(mode="before")
    @classmethod
    def _default_options(cls, data: Any) -> Any:
        return _default_yes_no_na_options(data)


class Question(_Strict):
    key: Annotated[str, Field(pattern=KEY_PATTERN, max_length=100)]
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    help: Annotated[str, Field(max_length=4000)] | None = None
    type: QuestionType
    required: bool = True
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    critical: bool = False
    options: list[Option] = []
    levels: dict[Level, Annotated[str, Field(min_length=1, max_length=1000)]] = {}
    evidence: Evidence | None = None
    # What acceptable evidence looks like at each level where the answer asks for a file: guidance
    # for the vendor, never scored (a change to it leaves the question's wording the same).
    evidence_examples: dict[EvidenceLevel, ExampleLine] = {}
    show_if: Condition | None = None
    refs: Refs = Refs()
    fields: list[GroupField] = []

    @model_validator(mode="before")
    @classmethod
    def _default_options(cls, data: Any) -> Any:
        return _default_yes_no_na_options(data)

    @model_serializer(mode="wrap")
    def _omit_empty_examples(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A definition without examples keeps the canonical JSON, and so the content hash, it had
        before the field existed: re-uploading an unchanged file must not read as changed."""
        data = handler(self)
        if not data.get("evidence_examples"):
            data.pop("evidence_examples", None)
        return data

    @property
    def max_level(self) -> int | None:
        """The highest maturity an answer can evidence; None when the question is not scored."""
        if self.type == QuestionType.maturity:
            return MAX_LEVEL
        if self.type in OPTION_TYPES:
            levels = [o.level for o in self.options if o.level is not None]
            if not levels:
                return None
            if (
                self.type == QuestionType.multi_choice
            ):  # practices add up (see scoring.adapter.answer_level)
                return min(MAX_LEVEL, sum(levels))
            return max(levels)
        return None

    @property
    def scored(self) -> bool:
        return self.max_level is not None

    @property
    def evidence_levels(self) -> tuple[int, ...]:
        """The levels (1–5) an answer can claim at which this question asks for a file; the keys
        `evidence_examples` may use. The same rule as `scoring.adapter.answer_level` and
        `evidence.required_from_level`: a multi_choice answer claims its options' levels added
        up, capped at the question's maximum."""
        if self.evidence is None or self.max_level is None:
            return ()
        if self.type == QuestionType.maturity:
            reachable = set(range(MAX_LEVEL + 1))
        elif self.type == QuestionType.multi_choice:
            reachable = {0}
            for level in (o.level for o in self.options if o.level is not None):
                reachable |= {min(MAX_LEVEL, total + level) for total in reachable}
        else:
            reachable = {o.level for o in self.options if o.level is not None}
        needed = max(1, self.evidence.required_from_level)
        return tuple(sorted(level for level in reachable if level >= needed))

    def option(self, value: object) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


class Section(_Strict):
    key: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=100)]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    description: str | None = None
    questions: Annotated[list[Question], Field(min_length=1)]


class Questionnaire(_Strict):
    key: Annotated[str, Field(pattern=SLUG_PATTERN, max_length=100)]
    version: Annotated[int, Field(ge=1)]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    description: str | None = None
    sections: Annotated[list[Section], Field(min_length=1)]

    def questions(self) -> Iterator[Question]:
        """Every question in file order."""
        for section in self.sections:
            yield from section.questions

    def question(self, key: str) -> Question:
        """The question with this key; KeyError if there is none."""
        for question in self.questions():
            if question.key == key:
                return question
        raise KeyError(key)

    def section_of(self, key: str) -> Section:
        for section in self.sections:
            if any(q.key == key for q in section.questions):
                return section
        raise KeyError(key)

    @property
    def question_count(self) -> int:
        return sum(len(section.questions) for section in self.sections)


# --- rules that look across questions -------------------------------------------------------------


def check_definition(questionnaire: Questionnaire) -> list[tuple[Loc, str]]:
    """Everything wrong with a schema-valid definition, as (location, message) pairs.

    Locations use pydantic's form, ("sections", 0, "questions", 3, "show_if"), so the loader can map
    them to file lines the same way it maps schema errors.
    """
    problems: list[tuple[Loc, str]] = []
    seen_sections: set[str] = set()
    earlier: dict[str, Question] = {}
    all_keys = {q.key for q in questionnaire.questions()}
    for s, section in enumerate(questionnaire.sections):
        if section.key in seen_sections:
            problems.append((("sections", s, "key"), f"duplicate section key '{section.key}'"))
        seen_sections.add(section.key)
        for i, question in enumerate(section.questions):
            loc: Loc = ("sections", s, "questions", i)
            if question.key in earlier:
                problems.append(((*loc, "key"), f"duplicate question key '{question.key}'"))
            if question.key in CONTEXT_FACTS:
                problems.append(
                    ((*loc, "key"), f"'{question.key}' is reserved for a fact the buyer sets")
                )
            problems.extend(_check_question(question, loc, earlier, all_keys))
            earlier.setdefault(question.key, question)
    return problems


def _check_question(
    question: Question, loc: Loc, earlier: dict[str, Question], all_keys: set[str]
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    kind = question.type

    # options
    if kind in CHOICE_TYPES and len(question.options) < 2:
        problems.append(((*loc, "options"), f"a {kind} question needs at least two options"))
    if kind not in OPTION_TYPES and question.options:
        problems.append(((*loc, "options"), f"a {kind} question takes no options"))
    if kind == QuestionType.yes_no_na:
        problems.extend(_yes_no_na_options(question.options, (*loc, "options")))
    problems.extend(_duplicate_options(question.options, (*loc, "options")))

    # maturity levels
    if kind == QuestionType.maturity:
        missing = [n for n in range(MAX_LEVEL + 1) if n not in question.levels]
        if missing:
            problems.append(
                (
                    (*loc, "levels"),
                    "a maturity question needs a descriptor for every level 0–5; missing "
                    + ", ".join(str(n) for n in missing),
                )
            )
    elif question.levels:
        problems.append(((*loc, "levels"), "only maturity questions take level descriptors"))

    # group fields
    if kind == QuestionType.group:
        if not question.fields:
            problems.append(((*loc, "fields"), "a group question needs at least one field"))
        seen: set[str] = set()
        for f, group_field in enumerate(question.fields):
            floc: Loc = (*loc, "fields", f)
            if group_field.key in seen:
                problems.append(((*floc, "key"), f"duplicate field key '{group_field.key}'"))
            seen.add(group_field.key)
            if group_field.type in CHOICE_TYPES and len(group_field.options) < 2:
                problems.append(((*floc, "options"), "a choice field needs at least two options"))
            if group_field.type == QuestionType.yes_no_na:
                problems.extend(_yes_no_na_options(group_field.options, (*floc, "options")))
            elif group_field.type not in CHOICE_TYPES and group_field.options:
                problems.append(
                    ((*floc, "options"), f"a {group_field.type} field takes no options")
                )
            problems.extend(_duplicate_options(group_field.options, (*floc, "options")))
    elif question.fields:
        problems.append(((*loc, "fields"), "only group questions take fields"))

    # scoring facts
    if question.critical and not question.scored:
        problems.append(
            ((*loc, "critical"), "a critical question must be scored (maturity or option levels)")
        )
    if kind == QuestionType.evidence_only and question.evidence is None:
        problems.append(((*loc, "evidence"), "an evidence_only question needs an evidence block"))
    if question.evidence is not None:
        needed = question.evidence.required_from_level
        if not question.scored and needed != 0:
            problems.append(
                (
                    (*loc, "evidence", "required_from_level"),
                    "this question has no maturity level, so required_from_level must be 0",
                )
            )
        elif question.max_level is not None and needed > question.max_level:
            problems.append(
                (
                    (*loc, "evidence", "required_from_level"),
                    f"required_from_level {needed} is above the highest level this question "
                    f"can reach ({question.max_level}), so evidence would never be asked for",
                )
            )

    problems.extend(_check_examples(question, loc))

    # references
    for framework, ids in question.refs:
        for r, ref_id in enumerate(ids):
            if ref_id not in REFERENCES[framework]:
                close = difflib.get_close_matches(ref_id, REFERENCES[framework], n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                problems.append(
                    (
                        (*loc, "refs", framework, r),
                        f"unknown {framework} reference '{ref_id}'{hint}",
                    )
                )

    # show_if
    if question.show_if is not None:
        for target in condition_targets(question.show_if):
            problems.extend(
                _check_target(target, question.key, (*loc, "show_if"), earlier, all_keys)
            )
    return problems


def _check_examples(question: Question, loc: Loc) -> list[tuple[Loc, str]]:
    """Examples only at levels where the answer asks for a file, so none is ever unreachable."""
    if not question.evidence_examples:
        return []
    where: Loc = (*loc, "evidence_examples")
    asked = question.evidence_levels
    if not asked:
        reason = (
            "this question asks for no evidence"
            if question.evidence is None
            else "this question has no maturity level, so no level asks for evidence"
        )
        return [(where, f"evidence_examples given, but {reason}")]
    unknown = sorted(set(question.evidence_examples) - set(asked))
    if not unknown:
        return []
    return [
        (
            where,
            f"evidence_examples names level {', '.join(str(n) for n in unknown)}, but evidence "
            f"is asked only at level {', '.join(str(n) for n in asked)}",
        )
    ]


def _yes_no_na_options(options: list[Option], loc: Loc) -> list[tuple[Loc, str]]:
    values = {o.value for o in options}
    if values <= set(YES_NO_NA) and {"yes", "no"} <= values:
        return []
    return [(loc, "yes_no_na options must be yes, no and optionally na")]


def _duplicate_options(options: list[Option], loc: Loc) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    seen: set[str] = set()
    for o, option in enumerate(options):
        if option.value in seen:
            problems.append(((*loc, o, "value"), f"duplicate option value '{option.value}'"))
        seen.add(option.value)
    return problems


def _check_context_target(target: Equals | In | Includes, loc: Loc) -> list[tuple[Loc, str]]:
    ref = target.question
    if not isinstance(target, Includes):
        return [(loc, f"'{ref}' is a list of facts: test it with 'includes'")]
    allowed = CONTEXT_FACTS[ref]
    if target.includes not in allowed:
        return [
            (
                loc,
                f"show_if value {target.includes!r} is not a value of '{ref}' "
                f"(allowed: {', '.join(sorted(allowed))})",
            )
        ]
    return []


def _check_target(
    target: Equals | In | Includes,
    own_key: str,
    loc: Loc,
    earlier: dict[str, Question],
    all_keys: set[str],
) -> list[tuple[Loc, str]]:
    ref = target.question
    if ref in CONTEXT_FACTS:
        return _check_context_target(target, loc)
    if ref == own_key:
        return [(loc, f"show_if refers to the question itself ('{ref}')")]
    if ref not in earlier:
        where = "a later question" if ref in all_keys else "an unknown question"
        return [(loc, f"show_if refers to {where} '{ref}'; it may only use earlier questions")]
    source = earlier[ref]
    if source.type not in CONDITION_TARGET_TYPES:
        return [(loc, f"show_if cannot test '{ref}': its type {source.type} has no fixed answers")]
    if isinstance(target, Includes) and source.type != QuestionType.multi_choice:
        return [(loc, f"'includes' needs a multi_choice question; '{ref}' is {source.type}")]
    if not isinstance(target, Includes) and source.type == QuestionType.multi_choice:
        return [(loc, f"'{ref}' is multi_choice: test it with 'includes', not equals/in")]
    values = target.in_ if isinstance(target, In) else [_value(target)]
    if source.type == QuestionType.maturity:
        allowed = {str(n) for n in range(MAX_LEVEL + 1)}
        bad = [v for v in values if isinstance(v, bool) or str(v) not in allowed]
    else:
        allowed = {o.value for o in source.options}
        bad = [v for v in values if not isinstance(v, str) or v not in allowed]
    if bad:
        return [
            (
                loc,
                f"show_if value {', '.join(repr(v) for v in bad)} is not an answer of '{ref}' "
                f"(allowed: {', '.join(sorted(allowed))})",
            )
        ]
    return []


def _value(target: Equals | Includes) -> Scalar:
    return target.equals if isinstance(target, Equals) else target.includes


# --- JSON Schema for editors ----------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """JSON Schema of a definition file, for editor completion (committed as questionnaires/schema.json)."""
    schema = Questionnaire.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://assay.invalid/questionnaires/schema.json",
        **schema,
        "title": "Assay questionnaire definition",
    }


def json_schema_text() -> str:
    """The exact text of questionnaires/schema.json."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
