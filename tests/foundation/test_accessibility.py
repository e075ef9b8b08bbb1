"""Accessibility the product promises on every page: badge text readable against its colour
(WCAG AA, 4.5:1), one risk vocabulary in which tier, residual risk, severity and critical function
cannot be mistaken for each other, the active navigation link announced, and a skip link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session

from app.models import Role
from app.web import templates
from tests.factories import make_org, make_user
from tests.helpers import login
from tests.register.portfolio import add_scored_vendor, make_function

STATIC = Path(__file__).resolve().parents[2] / "static"
AA_SMALL_TEXT = 4.5
WHITE = "#ffffff"


# --- colour contrast, computed from the stylesheets ---------------------------------------------


def _hex(value: str) -> str | None:
    found = re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value.strip())
    if not found:
        return None
    digits = found.group(1)
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits).lower()


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def css_rules() -> list[tuple[str, str, dict[str, str]]]:
    """(file, selector, declarations) of every rule in Assay's own stylesheets."""
    rules = []
    for path in sorted(STATIC.glob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
            declarations = {}
            for part in body.split(";"):
                name, _, value = part.partition(":")
                if value:
                    declarations[name.strip()] = value.strip()
            rules.append((path.name, " ".join(selector.split()), declarations))
    return rules


def badge_colours() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) of every badge and maturity chip that sets a colour."""
    found = []
    for file, selector, declarations in css_rules():
        if not re.search(r"\.badge|\.level\.l\d", selector):
            continue
        background = _hex(declarations.get("background", declarations.get("background-color", "")))
        colour = _hex(declarations.get("color", ""))
        if background is None and colour is None:
            continue
        assert background and colour, (
            f"{file}: '{selector}' sets only one of text and background colour, so its contrast "
            "depends on a rule elsewhere; set both"
        )
        found.append((selector, colour, background))
    return found


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", WHITE) == pytest.approx(21)
    assert contrast(WHITE, WHITE) == pytest.approx(1)
    assert contrast("#b08900", WHITE) == pytest.approx(3.27, abs=0.01)  # the old "medium": fails


def test_every_badge_meets_wcag_aa_for_small_text() -> None:
    colours = badge_colours()
    checked = " ".join(selector for selector, _, _ in colours)
    for name in ("critical", "high", "medium", "low", "submitted", "pending", "l1", "l4"):
        assert f".{name}" in checked, f"no badge colour found for .{name}"
    failing = [
        f"{selector}: {contrast(fg, bg):.2f}"
        for selector, fg, bg in colours
        if contrast(fg, bg) < AA_SMALL_TEXT
    ]
    assert not failing, f"badges below {AA_SMALL_TEXT}:1 — {failing}"


def test_coloured_basis_text_is_readable_on_the_page() -> None:
    basis = [
        (selector, _hex(d["color"]))
        for _, selector, d in css_rules()
        if ".basis." in selector and "color" in d
    ]
    assert len(basis) == 3
    assert all(contrast(colour, WHITE) >= AA_SMALL_TEXT for _, colour in basis), basis


# --- one risk vocabulary -----------------------------------------------------------------------


def _risk(kind: str, value: str | None = "critical", **extra: object) -> str:
    macro = templates.env.get_template("components/badges.html").module.risk
    return str(macro(kind, value, **extra))


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_each_kind_of_critical_says_what_it_is() -> None:
    words = {
        kind: _words(_risk(kind))
        for kind in ("tier", "residual", "severity", "function", "control")
    }
    assert words == {
        "tier": "Tier critical",
        "residual": "Residual critical",
        "severity": "Severity critical",
        "function": "Critical function",
        "control": "Critical control",
    }
    assert _words(_risk("severity", "high", count=3)) == "3 high"
    assert 'title="3 open findings of high severity"' in _risk("severity", "high", count=3)
    assert _words(_risk("control", label="Critical domain")) == "Critical domain"
    assert _risk("tier", None) == '<span class="muted">—</span>'


def test_each_kind_has_its_own_shape() -> None:
    """Colour is not the only difference: every kind's CSS draws it differently."""
    shapes: dict[str, dict[str, str]] = {}
    for _, selector, declarations in css_rules():
        for kind in ("tier", "residual", "severity", "function", "control"):
            for part in selector.split(","):
                part = part.strip()
                if part.startswith(f".badge.risk-{kind}"):
                    key = kind + ("::before" if part.endswith("::before") else "")
                    shapes.setdefault(key, {}).update(declarations)
    drawn = {
        kind: (
            shapes.get(kind, {}).get("border-radius"),
            shapes.get(kind, {}).get("border-style", shapes.get(kind, {}).get("border")),
            shapes.get(f"{kind}::before", {}).get("content"),
        )
        for kind in ("tier", "residual", "severity", "function", "control")
    }
    assert len(set(drawn.values())) == 5, drawn


@pytest.fixture
def register_world(session: Session):
    org = make_org(session)
    analyst = make_user(session, org, Role.risk_analyst)
    function = make_function(session, org, "F2")
    add_scored_vendor(
        session, org, analyst, name="Veridian Scoring Ltd", overall=1.5, residual="critical",
        findings={"critical": 2}, function=function,
    )  # fmt: skip
    session.commit()
    return analyst


def test_register_row_tells_the_four_criticals_apart(client, register_world) -> None:
    login(client, register_world.email)
    page = client.get("/register").text
    row = page[page.index('<tr id="vendor-') :]
    row = row[: row.index("</tr>")]
    assert re.search(r"Tier (critical|high)", _words(row))
    assert "Residual critical" in _words(row)
    assert "2 critical" in _words(row) and "risk-severity critical" in row
    assert "Critical function" in _words(row)
    assert re.search(r"AI Act (high|limited)", _words(row))  # the system's class, named too
    assert 'class="badge critical"' not in row  # no bare "critical" badge left


# --- navigation ----------------------------------------------------------------------------------


def test_active_link_is_announced_and_a_skip_link_leads_to_the_content(client, register_world):
    login(client, register_world.email)
    page = client.get("/register/findings").text
    body = page[page.index("<body") :]
    first_link = re.search(r"<a [^>]*>", body)
    assert first_link and 'href="#content"' in first_link.group(0)
    assert 'class="skip-link"' in first_link.group(0)
    assert '<main class="container" id="content" tabindex="-1">' in page
    current = re.findall(r'<a aria-current="page" href="([^"]+)">([^<]+)</a>', page)
    assert current == [("/register/findings", "Findings")]  # not Register too
    assert 'aria-controls="site-menu"' in page and 'id="site-menu"' in page
    register = client.get("/register").text
    assert re.findall(r'<a aria-current="page" href="([^"]+)">', register) == ["/register"]
    account = client.get("/account").text
    assert re.findall(r'<a aria-current="page" href="([^"]+)">', account) == ["/account"]
