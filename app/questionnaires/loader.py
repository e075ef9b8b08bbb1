"""Read questionnaire definitions from YAML: all or nothing, every problem with its file and line.

The YAML is read with safe-load semantics and three extra refusals: anchors and aliases (no
expansion bombs), duplicate mapping keys (PyYAML would silently keep the last one) and files over
2 MB. Booleans follow YAML 1.2 (only true/false), so an option called `yes` or `no` stays a string.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.questionnaires.schema import Loc, Questionnaire, check_definition

MAX_BYTES = 2 * 1024 * 1024
DEFINITION_GLOB = "*.yaml"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file, located well enough to fix it."""

    file: str
    line: int | None
    key: str | None  # the question, section or top-level field concerned
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class QuestionnaireError(Exception):
    """The definition (or definitions) could not be loaded; `problems` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- YAML reading ---------------------------------------------------------------------------------


class _DefinitionLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans that refuses anchors and aliases."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (& and *) are not allowed in questionnaire files",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)  # type: ignore[misc]


_DefinitionLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(text: str, source: str) -> tuple[Any, Node | None]:
    loader = _DefinitionLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        duplicates = _duplicate_keys(node)
        if duplicates:
            raise QuestionnaireError(
                [Problem(source, line, key, f"duplicate key '{key}'") for key, line in duplicates]
            )
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise QuestionnaireError([Problem(source, line, None, f"YAML: {message}")]) from None
    except yaml.YAMLError as exc:
        raise QuestionnaireError([Problem(source, None, None, f"YAML: {exc}")]) from None
    except RecursionError:
        raise QuestionnaireError(
            [Problem(source, None, None, "YAML is nested too deeply")]
        ) from None
    finally:
        loader.dispose()


def _duplicate_keys(root: Node) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    if key_node.value in seen:
                        found.append((key_node.value, key_node.start_mark.line + 1))
                    seen.add(key_node.value)
                stack.extend((key_node, value_node))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return sorted(found, key=lambda item: item[1])


def _line_of(root: Node | None, loc: Loc) -> int | None:
    """The file line of the deepest node that `loc` reaches (pydantic-style location)."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, MappingNode):
            match = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, ScalarNode) and k.value == str(part)
                ),
                None,
            )
            if match is None:
                continue  # a union tag or a missing field: stay on the enclosing mapping
            node, line = match[1], match[0].start_mark.line + 1
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _key_of(data: Any, loc: Loc) -> str | None:
    """Name what a location is about: the question key, else the section key, else the field."""
    if not loc:
        return None
    if loc[0] != "sections" or len(loc) < 2 or not isinstance(loc[1], int):
        return str(loc[0])
    section = _index(_get(data, "sections"), loc[1])
    if len(loc) >= 4 and loc[2] == "questions" and isinstance(loc[3], int):
        question = _index(_get(section, "questions"), loc[3])
        key = _get(question, "key")
        return key if isinstance(key, str) else f"sections[{loc[1]}].questions[{loc[3]}]"
    key = _get(section, "key")
    return key if isinstance(key, str) else f"sections[{loc[1]}]"


def _get(data: Any, name: str) -> Any:
    return data.get(name) if isinstance(data, Mapping) else None


def _index(data: Any, i: int) -> Any:
    return data[i] if isinstance(data, list) and 0 <= i < len(data) else None


def _field_path(loc: Loc) -> str:
    """The part of a location inside the question (or section) it names, e.g. 'show_if.in'."""
    if len(loc) >= 4 and loc[0] == "sections" and loc[2] == "questions":
        rest = loc[4:]
    elif len(loc) >= 2 and loc[0] == "sections":
        rest = loc[2:]
    else:
        rest = loc[1:]
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


_EXAMPLE_MESSAGES = {
    "string_too_short": "an evidence example needs text: one line naming acceptable evidence",
    "string_pattern_mismatch": "an evidence example is one line of text (no line breaks)",
    "greater_than_equal": "an evidence example's level is 1–5 (level 0 never asks for evidence)",
    "less_than_equal": "an evidence example's level is 1–5",
    "int_parsing": "an evidence example's level is a whole number 1–5",
    "int_type": "an evidence example's level is a whole number 1–5",
}


def _pydantic_message(error: Mapping[str, Any]) -> str:
    if "evidence_examples" in error["loc"] and error["type"] in _EXAMPLE_MESSAGES:
        return _EXAMPLE_MESSAGES[error["type"]]
    if error["type"] == "extra_forbidden":
        return f"unknown field '{error['loc'][-1]}'"
    if error["type"] == "missing":
        return f"missing required field '{error['loc'][-1]}'"
    if error["type"] == "string_type" and isinstance(error.get("input"), int | float | bool):
        return f"expected text but YAML read {error['input']!r}; put the value in quotes"
    return str(error["msg"])


# --- public API -----------------------------------------------------------------------------------


def parse_questionnaire(content: str | bytes, source_name: str = "<upload>") -> Questionnaire:
    """Validate a definition given as text (a browser upload, a file read elsewhere)."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if len(raw) > MAX_BYTES:
        raise QuestionnaireError(
            [
                Problem(
                    source_name, None, None, f"file is larger than {MAX_BYTES // 1024 // 1024} MB"
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(
            [Problem(source_name, None, None, f"not UTF-8 text (byte {exc.start})")]
        ) from None
    data, root = _read_yaml(text, source_name)
    return _validate(data, root, source_name)


def validate_definition(
    data: Mapping[str, Any], source_name: str = "<definition>"
) -> Questionnaire:
    """Validate an already-parsed definition, e.g. one read back from the database (no lines)."""
    return _validate(data, None, source_name)


def _validate(data: Any, root: Node | None, source: str) -> Questionnaire:
    if not isinstance(data, Mapping):
        line = root.start_mark.line + 1 if root is not None else None
        raise QuestionnaireError(
            [Problem(source, line, None, "a questionnaire file must be a mapping (key: value)")]
        )
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            path = _field_path(loc)
            message = _pydantic_message(error)
            problems.append(
                Problem(
                    source,
                    _line_of(root, loc),
                    _key_of(data, loc),
                    f"{path}: {message}" if path else message,
                )
            )
        raise QuestionnaireError(problems) from None
    found = check_definition(questionnaire)
    if found:
        raise QuestionnaireError(
            [
                Problem(source, _line_of(root, loc), _key_of(data, loc), message)
                for loc, message in found
            ]
        )
    return questionnaire


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load one definition file; a valid Questionnaire or a QuestionnaireError, never half of one."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise QuestionnaireError(
                [
                    Problem(
                        str(path), None, None, f"file is larger than {MAX_BYTES // 1024 // 1024} MB"
                    )
                ]
            )
        content = path.read_bytes()
    except OSError as exc:
        raise QuestionnaireError(
            [Problem(str(path), None, None, exc.strerror or str(exc))]
        ) from None
    return parse_questionnaire(content, str(path))


def definition_files(directory: str | Path) -> list[Path]:
    """The definition files under a library directory (questionnaires/<key>/v<n>.yaml), sorted."""
    return sorted(p for p in Path(directory).rglob(DEFINITION_GLOB) if p.is_file())


def load_all(directory: str | Path) -> list[Questionnaire]:
    """Load every definition under a directory; all problems of all files in one error.

    Two files declaring the same key and version are a problem too, since a published version must
    mean exactly one content.
    """
    problems: list[Problem] = []
    loaded: list[Questionnaire] = []
    seen: dict[tuple[str, int], Path] = {}
    for path in definition_files(directory):
        try:
            questionnaire = load_questionnaire(path)
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
            continue
        ident = (questionnaire.key, questionnaire.version)
        if ident in seen:
            problems.append(
                Problem(
                    str(path),
                    None,
                    "key",
                    f"{questionnaire.key} version {questionnaire.version} is also defined in "
                    f"{seen[ident]}",
                )
            )
        seen[ident] = path
        loaded.append(questionnaire)
    if problems:
        raise QuestionnaireError(problems)
    return sorted(loaded, key=lambda q: (q.key, q.version))


def canonical_json(questionnaire: Questionnaire) -> bytes:
    """The definition as canonical JSON: what is stored, hashed and compared."""
    return json.dumps(
        definition_dict(questionnaire),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def definition_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    """The validated definition as plain JSON-ready data (defaults filled in)."""
    return questionnaire.model_dump(mode="json", by_alias=True)


def content_hash(source: Questionnaire | str | Path | bytes) -> str:
    """sha256 hex of the canonical JSON of a validated definition.

    Accepts a Questionnaire, a path (str or Path) or the file's bytes. Formatting, comments and key
    order in the YAML do not change the hash; any change to the definition does.
    """
    if isinstance(source, Questionnaire):
        questionnaire = source
    elif isinstance(source, bytes):
        questionnaire = parse_questionnaire(source)
    else:
        questionnaire = load_questionnaire(source)
    return hashlib.sha256(canonical_json(questionnaire)).hexdigest()
