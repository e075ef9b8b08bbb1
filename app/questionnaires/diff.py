"""What changed between two versions of a questionnaire, question by question."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.questionnaires.schema import Question, Questionnaire

# Changes to these fields can move a score, so a reviewer should look twice.
SCORING_FIELDS = frozenset(
    {"type", "required", "weight", "critical", "options", "levels", "evidence", "show_if"}
)


@dataclass
class QuestionnaireDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    # questionnaire-level fields (title, description, version, key) and section changes
    metadata: list[str] = field(default_factory=list)
    sections_added: list[str] = field(default_factory=list)
    sections_removed: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.metadata
            or self.sections_added
            or self.sections_removed
        )

    @property
    def scoring_changed(self) -> list[str]:
        """Keys of kept questions whose scoring-relevant fields changed."""
        return [key for key, names in self.changed if SCORING_FIELDS.intersection(names)]


def _question_fields(question: Question) -> dict[str, object]:
    return question.model_dump(mode="json", by_alias=True, exclude={"key"})


def diff_questionnaires(a: Questionnaire, b: Questionnaire) -> QuestionnaireDiff:
    """Compare version a (old) with b (new); order of the lists follows the files."""
    diff = QuestionnaireDiff()
    for name in ("key", "version", "title", "description"):
        if getattr(a, name) != getattr(b, name):
            diff.metadata.append(name)

    old_sections = {s.key: s for s in a.sections}
    new_sections = {s.key: s for s in b.sections}
    diff.sections_added = [k for k in new_sections if k not in old_sections]
    diff.sections_removed = [k for k in old_sections if k not in new_sections]
    for key in new_sections.keys() & old_sections.keys():
        old, new = old_sections[key], new_sections[key]
        if (old.title, old.description) != (new.title, new.description):
            diff.metadata.append(f"section {key}")
    diff.metadata.sort(key=lambda name: (name.startswith("section "), name))

    old_questions = {q.key: q for q in a.questions()}
    new_questions = {q.key: q for q in b.questions()}
    diff.added = [k for k in new_questions if k not in old_questions]
    diff.removed = [k for k in old_questions if k not in new_questions]
    for key, new in new_questions.items():
        old = old_questions.get(key)
        if old is None:
            continue
        before, after = _question_fields(old), _question_fields(new)
        names = [name for name in after if before.get(name) != after[name]]
        if a.section_of(key).key != b.section_of(key).key:
            names.append("section")
        if names:
            diff.changed.append((key, names))
    return diff


def render_diff(diff: QuestionnaireDiff, a: Questionnaire, b: Questionnaire) -> str:
    """A plain-text summary for the terminal and for publish notes."""
    lines = [f"{a.key} v{a.version} -> {b.key} v{b.version}"]
    if diff.is_empty:
        lines.append("no differences")
        return "\n".join(lines)
    if diff.metadata:
        lines.append("changed: " + ", ".join(diff.metadata))
    for key in diff.sections_added:
        lines.append(f"+ section {key}")
    for key in diff.sections_removed:
        lines.append(f"- section {key}")
    for key in diff.added:
        lines.append(f"+ {key}")
    for key in diff.removed:
        lines.append(f"- {key}")
    for key, names in diff.changed:
        marker = "!" if SCORING_FIELDS.intersection(names) else "~"
        lines.append(f"{marker} {key}: {', '.join(names)}")
    lines.append(
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed "
        f"({len(diff.scoring_changed)} affecting scores)"
    )
    return "\n".join(lines)
