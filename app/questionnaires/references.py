"""The reference identifiers a question may cite, as data.

Identifiers are exact (they are what auditors search for); titles are short paraphrases, never the
standards' own wording. Source: the team's regulatory reference notes (ISO/IEC 42001 clauses and
Annex A, DORA Art. 28–30, the AI Act articles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Framework = Literal["iso42001", "dora", "ai_act", "nist_ai_rmf"]

FRAMEWORKS: tuple[Framework, ...] = ("iso42001", "dora", "ai_act", "nist_ai_rmf")

FRAMEWORK_TITLES: dict[str, str] = {
    "iso42001": "ISO/IEC 42001:2023",
    "dora": "DORA (Reg. (EU) 2022/2554)",
    "ai_act": "EU AI Act (Reg. (EU) 2024/1689)",
    "nist_ai_rmf": "NIST AI RMF 1.0",
}


@dataclass(frozen=True)
class Reference:
    """One citable item of a framework: a clause, a control, an article point or a subcategory."""

    framework: Framework
    id: str
    title: str
    part: str  # the coverage block it belongs to: "clauses", "annex_a", "art_28", ...
    group: str  # the heading it sits under, e.g. "A.6 AI system life cycle"
    parent: str | None = None  # the enclosing item whose coverage includes this one's


# --- ISO/IEC 42001: main clauses 4–10 -------------------------------------------------------------

_ISO_CLAUSES: list[tuple[str, str]] = [
    ("4", "Context of the organization"),
    ("4.1", "Understanding the organization and its context"),
    ("4.2", "Needs and expectations of interested parties"),
    ("4.3", "Scope of the AI management system"),
    ("4.4", "AI management system"),
    ("5", "Leadership"),
    ("5.1", "Leadership and commitment"),
    ("5.2", "AI policy"),
    ("5.3", "Roles, responsibilities and authorities"),
    ("6", "Planning"),
    ("6.1", "Actions to address risks and opportunities"),
    ("6.1.1", "Risks and opportunities: general"),
    ("6.1.2", "AI risk assessment (planning)"),
    ("6.1.3", "AI risk treatment (planning)"),
    ("6.1.4", "AI system impact assessment (planning)"),
    ("6.2", "AI objectives and planning to achieve them"),
    ("6.3", "Planning of changes"),
    ("7", "Support"),
    ("7.1", "Resources"),
    ("7.2", "Competence"),
    ("7.3", "Awareness"),
    ("7.4", "Communication"),
    ("7.5", "Documented information"),
    ("7.5.1", "Documented information: general"),
    ("7.5.2", "Creating and updating documented information"),
    ("7.5.3", "Control of documented information"),
    ("8", "Operation"),
    ("8.1", "Operational planning and control"),
    ("8.2", "AI risk assessment (operation)"),
    ("8.3", "AI risk treatment (operation)"),
    ("8.4", "AI system impact assessment (operation)"),
    ("9", "Performance evaluation"),
    ("9.1", "Monitoring, measurement, analysis and evaluation"),
    ("9.2", "Internal audit"),
    ("9.2.1", "Internal audit: general"),
    ("9.2.2", "Internal audit programme"),
    ("9.3", "Management review"),
    ("9.3.1", "Management review: general"),
    ("9.3.2", "Management review inputs"),
    ("9.3.3", "Management review results"),
    ("10", "Improvement"),
    ("10.1", "Continual improvement"),
    ("10.2", "Nonconformity and corrective action"),
]

# --- ISO/IEC 42001: Annex A, 38 controls in 9 groups ---------------------------------------------

ANNEX_A_GROUPS: dict[str, str] = {
    "A.2": "Policies related to AI",
    "A.3": "Internal organization",
    "A.4": "Resources for AI systems",
    "A.5": "Assessing impacts of AI systems",
    "A.6": "AI system life cycle",
    "A.7": "Data for AI systems",
    "A.8": "Information for interested parties of AI systems",
    "A.9": "Use of AI systems",
    "A.10": "Third-party and customer relationships",
}

_ANNEX_A: list[tuple[str, str]] = [
    ("A.2.2", "AI policy"),
    ("A.2.3", "Alignment with other organizational policies"),
    ("A.2.4", "Review of the AI policy"),
    ("A.3.2", "AI roles and responsibilities"),
    ("A.3.3", "Reporting of concerns"),
    ("A.4.2", "Resource documentation"),
    ("A.4.3", "Data resources"),
    ("A.4.4", "Tooling resources"),
    ("A.4.5", "System and computing resources"),
    ("A.4.6", "Human resources"),
    ("A.5.2", "AI system impact assessment process"),
    ("A.5.3", "Documentation of AI system impact assessments"),
    ("A.5.4", "Assessing AI system impact on individuals or groups"),
    ("A.5.5", "Assessing societal impacts of AI systems"),
    ("A.6.1.2", "Objectives for responsible development of AI systems"),
    ("A.6.1.3", "Processes for responsible AI system design and development"),
    ("A.6.2.2", "AI system requirements and specification"),
    ("A.6.2.3", "Documentation of AI system design and development"),
    ("A.6.2.4", "AI system verification and validation"),
    ("A.6.2.5", "AI system deployment"),
    ("A.6.2.6", "AI system operation and monitoring"),
    ("A.6.2.7", "AI system technical documentation"),
    ("A.6.2.8", "AI system recording of event logs"),
    ("A.7.2", "Data for development and enhancement of AI systems"),
    ("A.7.3", "Acquisition of data"),
    ("A.7.4", "Quality of data for AI systems"),
    ("A.7.5", "Data provenance"),
    ("A.7.6", "Data preparation"),
    ("A.8.2", "System documentation and information for users"),
    ("A.8.3", "External reporting"),
    ("A.8.4", "Communication of incidents"),
    ("A.8.5", "Information for interested parties"),
    ("A.9.2", "Processes for responsible use of AI systems"),
    ("A.9.3", "Objectives for responsible use of AI systems"),
    ("A.9.4", "Intended use of the AI system"),
    ("A.10.2", "Allocating responsibilities"),
    ("A.10.3", "Suppliers"),
    ("A.10.4", "Customers"),
]

# --- DORA Art. 28–30 -----------------------------------------------------------------------------

DORA_ARTICLES: dict[str, str] = {
    "art_28": "Art. 28 General principles of ICT third-party risk",
    "art_29": "Art. 29 Preliminary assessment of ICT concentration risk",
    "art_30": "Art. 30 Key contractual provisions",
}

_DORA: list[tuple[str, str]] = [
    ("Art. 28(1)", "Third-party risk managed within the ICT risk framework"),
    ("Art. 28(1)(a)", "Financial entity stays fully responsible"),
    ("Art. 28(1)(b)", "Proportionate to dependency and criticality"),
    ("Art. 28(2)", "Third-party risk strategy, CIF policy, management body review"),
    ("Art. 28(3)", "Register of information on all ICT arrangements"),
    ("Art. 28(4)", "Assessments before contracting"),
    ("Art. 28(4)(a)", "Whether the service supports a critical or important function"),
    ("Art. 28(4)(b)", "Supervisory conditions for contracting met"),
    ("Art. 28(4)(c)", "Relevant risks, including concentration risk"),
    ("Art. 28(4)(d)", "Due diligence on the prospective provider"),
    ("Art. 28(4)(e)", "Conflicts of interest"),
    ("Art. 28(5)", "Appropriate information security standards"),
    ("Art. 28(6)", "Risk-based audit and inspection of the provider"),
    ("Art. 28(7)", "Termination rights"),
    ("Art. 28(7)(a)", "Termination for significant breach"),
    ("Art. 28(7)(b)", "Termination for changes found through monitoring"),
    ("Art. 28(7)(c)", "Termination for evidenced ICT risk management weaknesses"),
    ("Art. 28(7)(d)", "Termination where effective supervision is impeded"),
    ("Art. 28(8)", "Exit strategies for critical or important functions"),
    ("Art. 28(9)", "Standard templates for the register of information"),
    ("Art. 28(10)", "Content of the policy on services supporting CIF"),
    ("Art. 29(1)", "Concentration risk when contracting for CIF"),
    ("Art. 29(1)(a)", "Provider not easily substitutable"),
    ("Art. 29(1)(b)", "Several CIF arrangements with the same or connected providers"),
    ("Art. 29(2)", "Subcontracting chains, third countries and insolvency law"),
    ("Art. 30(1)", "Rights and obligations in one written contract"),
    ("Art. 30(2)", "Minimum content of every ICT services contract"),
    ("Art. 30(2)(a)", "Description of functions and services; subcontracting conditions"),
    ("Art. 30(2)(b)", "Service and data locations; advance notice of changes"),
    ("Art. 30(2)(c)", "Availability, authenticity, integrity and confidentiality of data"),
    ("Art. 30(2)(d)", "Access, recovery and return of data"),
    ("Art. 30(2)(e)", "Service level descriptions"),
    ("Art. 30(2)(f)", "Assistance with ICT incidents at no or pre-set cost"),
    ("Art. 30(2)(g)", "Full cooperation with authorities"),
    ("Art. 30(2)(h)", "Termination rights and minimum notice periods"),
    ("Art. 30(2)(i)", "Participation in security awareness and resilience training"),
    ("Art. 30(3)", "Additional content for contracts supporting CIF"),
    ("Art. 30(3)(a)", "Full service levels with precise performance targets"),
    ("Art. 30(3)(b)", "Notice periods and reporting obligations"),
    ("Art. 30(3)(c)", "Tested contingency plans and ICT security measures"),
    ("Art. 30(3)(d)", "Participation in threat-led penetration testing"),
    ("Art. 30(3)(e)", "Ongoing monitoring, access, inspection and audit rights"),
    ("Art. 30(3)(f)", "Exit strategies and a mandatory transition period"),
    ("Art. 30(4)", "Standard contractual clauses considered"),
    ("Art. 30(5)", "Subcontracting of services supporting CIF"),
]

# --- EU AI Act -----------------------------------------------------------------------------------

_AI_ACT: list[tuple[str, str]] = [
    ("Art. 4", "AI literacy"),
    ("Art. 5", "Prohibited AI practices"),
    ("Art. 6", "Classification rules for high-risk systems, incl. the 6(3) exception"),
    ("Art. 9", "Risk management system"),
    ("Art. 10", "Data and data governance"),
    ("Art. 11", "Technical documentation"),
    ("Art. 12", "Record-keeping (automatic logging)"),
    ("Art. 13", "Transparency and instructions for use"),
    ("Art. 14", "Human oversight"),
    ("Art. 15", "Accuracy, robustness and cybersecurity"),
    ("Art. 16", "Obligations of providers of high-risk systems"),
    ("Art. 17", "Quality management system"),
    ("Art. 18", "Documentation keeping"),
    ("Art. 19", "Automatically generated logs"),
    ("Art. 20", "Corrective actions and duty of information"),
    ("Art. 25", "Responsibilities along the AI value chain"),
    ("Art. 26", "Obligations of deployers of high-risk systems"),
    ("Art. 27", "Fundamental rights impact assessment"),
    ("Art. 49", "Registration in the EU database"),
    ("Art. 50", "Transparency for certain AI systems"),
    ("Art. 53", "Obligations of providers of general-purpose AI models"),
    ("Art. 54", "Authorised representatives of general-purpose AI model providers"),
    ("Art. 55", "General-purpose AI models with systemic risk"),
    ("Art. 72", "Post-market monitoring"),
    ("Art. 73", "Reporting of serious incidents"),
    ("Annex III(5)", "High-risk uses: access to essential private and public services"),
]

# --- NIST AI RMF 1.0: 72 subcategories, titled by their category's gist ---------------------------

_NIST_CATEGORIES: list[tuple[str, str, int]] = [
    ("GOVERN 1", "Policies, processes and practices for AI risk", 7),
    ("GOVERN 2", "Accountability structures and trained people", 3),
    ("GOVERN 3", "Workforce diversity, inclusion and human-AI roles", 2),
    ("GOVERN 4", "Culture that considers and communicates AI risk", 3),
    ("GOVERN 5", "Engagement with relevant AI actors", 2),
    ("GOVERN 6", "Third-party software, data and supply-chain risk", 2),
    ("MAP 1", "Context established and understood", 6),
    ("MAP 2", "AI system categorised", 3),
    ("MAP 3", "Capabilities, usage, benefits and costs understood", 5),
    ("MAP 4", "Risks and benefits mapped for all components", 2),
    ("MAP 5", "Impacts on people, organisations and society characterised", 2),
    ("MEASURE 1", "Methods and metrics identified and applied", 3),
    ("MEASURE 2", "Evaluated for trustworthy characteristics", 13),
    ("MEASURE 3", "Risks tracked over time", 3),
    ("MEASURE 4", "Feedback on measurement efficacy", 3),
    ("MANAGE 1", "Risks prioritised, responded to and managed", 4),
    ("MANAGE 2", "Strategies to maximise benefit and minimise harm", 4),
    ("MANAGE 3", "Third-party risks and benefits managed", 2),
    ("MANAGE 4", "Treatments, response, recovery and communication monitored", 3),
]

_NIST_SPECIFIC: dict[str, str] = {
    "GOVERN 1.1": "Legal and regulatory requirements understood",
    "GOVERN 1.2": "Trustworthy characteristics in policies",
    "GOVERN 1.3": "Effort matched to risk tolerance",
    "GOVERN 1.4": "Transparent risk management policies",
    "GOVERN 1.5": "Ongoing monitoring and periodic review",
    "GOVERN 1.6": "AI system inventory",
    "GOVERN 1.7": "Safe decommissioning",
    "GOVERN 3.2": "Human-AI configuration roles",
    "GOVERN 6.2": "Contingency for third-party failures",
    "MAP 3.5": "Human oversight processes",
    "MEASURE 2.7": "Security and resilience",
    "MEASURE 2.10": "Privacy",
    "MEASURE 2.11": "Fairness and bias",
    "MEASURE 2.12": "Environmental impact",
    "MANAGE 2.4": "Supersede, disengage or deactivate",
    "MANAGE 3.2": "Pre-trained models monitored",
    "MANAGE 4.3": "Incident communication",
}


def _clause_parent(clause_id: str) -> str | None:
    return clause_id.rsplit(".", 1)[0] if "." in clause_id else None


def _dora_parent(item_id: str) -> str | None:
    # "Art. 30(2)(a)" -> "Art. 30(2)"; "Art. 30(2)" -> None
    head, sep, _ = item_id.rpartition("(")
    return head if sep and "(" in head else None


def _build() -> dict[str, dict[str, Reference]]:
    refs: dict[str, dict[str, Reference]] = {name: {} for name in FRAMEWORKS}
    for clause_id, title in _ISO_CLAUSES:
        top = clause_id.split(".")[0]
        group = f"Clause {top} {dict(_ISO_CLAUSES)[top]}"
        refs["iso42001"][clause_id] = Reference(
            "iso42001", clause_id, title, "clauses", group, _clause_parent(clause_id)
        )
    for control_id, title in _ANNEX_A:
        group_id = ".".join(control_id.split(".")[:2])
        group = f"{group_id} {ANNEX_A_GROUPS[group_id]}"
        refs["iso42001"][control_id] = Reference("iso42001", control_id, title, "annex_a", group)
    for item_id, title in _DORA:
        article = "art_" + item_id.split()[1].split("(")[0]
        refs["dora"][item_id] = Reference(
            "dora", item_id, title, article, DORA_ARTICLES[article], _dora_parent(item_id)
        )
    for article_id, title in _AI_ACT:
        refs["ai_act"][article_id] = Reference("ai_act", article_id, title, "articles", "EU AI Act")
    for category, gist, count in _NIST_CATEGORIES:
        for n in range(1, count + 1):
            sub_id = f"{category}.{n}"
            title = _NIST_SPECIFIC.get(sub_id, gist)
            function = category.split()[0]
            refs["nist_ai_rmf"][sub_id] = Reference(
                "nist_ai_rmf", sub_id, title, function.lower(), f"{category} {gist}"
            )
    return refs


REFERENCES: dict[str, dict[str, Reference]] = _build()


def lookup(framework: str, ref_id: str) -> Reference | None:
    """The reference with this exact id, or None when the framework does not list it."""
    return REFERENCES.get(framework, {}).get(ref_id)


def children(framework: str, ref_id: str) -> list[Reference]:
    """The items directly under ref_id (e.g. the points of Art. 30(2)), in document order."""
    return [ref for ref in REFERENCES.get(framework, {}).values() if ref.parent == ref_id]
