"""Short titles for the controls the model scores, so findings read in plain words.

ISO/IEC 42001 ids and short titles, DORA Art. 28–30 and AI Act items are paraphrased from
the team's regulatory reference notes; unknown ids fall back to their parent or the id.
"""

from __future__ import annotations

import re

# The one list of framework names: finding text, reports and (a template global) every page.
# NIST AI RMF is cited by questions (the portal shows it) but not scored: see inputs.FRAMEWORKS.
FRAMEWORK_LABELS = {
    "iso42001": "ISO/IEC 42001",
    "dora": "DORA",
    "ai_act": "EU AI Act",
    "nist_ai_rmf": "NIST AI RMF",
}

_ISO = {
    "4": "Context of the organization",
    "4.1": "Understanding the organization and its context",
    "4.2": "Needs and expectations of interested parties",
    "4.3": "Scope of the AI management system",
    "4.4": "AI management system",
    "5": "Leadership",
    "5.1": "Leadership and commitment",
    "5.2": "AI policy",
    "5.3": "Roles, responsibilities and authorities",
    "6": "Planning",
    "6.1": "Actions to address risks and opportunities",
    "6.1.1": "Actions to address risks and opportunities: general",
    "6.1.2": "AI risk assessment",
    "6.1.3": "AI risk treatment",
    "6.1.4": "AI system impact assessment",
    "6.2": "AI objectives and planning to achieve them",
    "6.3": "Planning of changes",
    "7": "Support",
    "7.1": "Resources",
    "7.2": "Competence",
    "7.3": "Awareness",
    "7.4": "Communication",
    "7.5": "Documented information",
    "8": "Operation",
    "8.1": "Operational planning and control",
    "8.2": "AI risk assessment",
    "8.3": "AI risk treatment",
    "8.4": "AI system impact assessment",
    "9": "Performance evaluation",
    "9.1": "Monitoring, measurement, analysis and evaluation",
    "9.2": "Internal audit",
    "9.3": "Management review",
    "10": "Improvement",
    "10.1": "Continual improvement",
    "10.2": "Nonconformity and corrective action",
    "A.2.2": "AI policy",
    "A.2.3": "Alignment with other organizational policies",
    "A.2.4": "Review of the AI policy",
    "A.3.2": "AI roles and responsibilities",
    "A.3.3": "Reporting of concerns",
    "A.4.2": "Resource documentation",
    "A.4.3": "Data resources",
    "A.4.4": "Tooling resources",
    "A.4.5": "System and computing resources",
    "A.4.6": "Human resources",
    "A.5.2": "AI system impact assessment process",
    "A.5.3": "Documentation of AI system impact assessments",
    "A.5.4": "Assessing AI system impact on individuals or groups of individuals",
    "A.5.5": "Assessing societal impacts of AI systems",
    "A.6.1.2": "Objectives for responsible development of AI system",
    "A.6.1.3": "Processes for responsible AI system design and development",
    "A.6.2.2": "AI system requirements and specification",
    "A.6.2.3": "Documentation of AI system design and development",
    "A.6.2.4": "AI system verification and validation",
    "A.6.2.5": "AI system deployment",
    "A.6.2.6": "AI system operation and monitoring",
    "A.6.2.7": "AI system technical documentation",
    "A.6.2.8": "AI system recording of event logs",
    "A.7.2": "Data for development and enhancement of AI system",
    "A.7.3": "Acquisition of data",
    "A.7.4": "Quality of data for AI systems",
    "A.7.5": "Data provenance",
    "A.7.6": "Data preparation",
    "A.8.2": "System documentation and information for users",
    "A.8.3": "External reporting",
    "A.8.4": "Communication of incidents",
    "A.8.5": "Information for interested parties",
    "A.9.2": "Processes for responsible use of AI systems",
    "A.9.3": "Objectives for responsible use of AI system",
    "A.9.4": "Intended use of the AI system",
    "A.10.2": "Allocating responsibilities",
    "A.10.3": "Suppliers",
    "A.10.4": "Customers",
}

_DORA = {
    "Art. 28": "ICT third-party risk: general principles",
    "Art. 28(1)": "Full responsibility and proportionality",
    "Art. 28(2)": "ICT third-party risk strategy and policy",
    "Art. 28(3)": "Register of information",
    "Art. 28(4)": "Assessment before contracting",
    "Art. 28(5)": "Information security standards of the provider",
    "Art. 28(6)": "Audit and inspection",
    "Art. 28(7)": "Termination rights",
    "Art. 28(8)": "Exit strategies",
    "Art. 29": "ICT concentration risk",
    "Art. 29(1)": "Substitutability and multiple arrangements with the same provider",
    "Art. 29(2)": "Subcontracting and third-country risk",
    "Art. 30": "Key contractual provisions",
    "Art. 30(1)": "Written contract including service levels",
    "Art. 30(2)": "Minimum contract content",
    "Art. 30(2)(a)": "Description of functions and services, subcontracting conditions",
    "Art. 30(2)(b)": "Locations of service and data, notice of changes",
    "Art. 30(2)(c)": "Availability, authenticity, integrity and confidentiality of data",
    "Art. 30(2)(d)": "Access, recovery and return of data",
    "Art. 30(2)(e)": "Service level descriptions",
    "Art. 30(2)(f)": "Assistance in ICT incidents",
    "Art. 30(2)(g)": "Cooperation with competent and resolution authorities",
    "Art. 30(2)(h)": "Termination rights and notice periods",
    "Art. 30(2)(i)": "Participation in security awareness and resilience training",
    "Art. 30(3)": "Additional content for critical or important functions",
    "Art. 30(3)(a)": "Full service levels with precise performance targets",
    "Art. 30(3)(b)": "Notice periods and reporting obligations",
    "Art. 30(3)(c)": "Business contingency plans and ICT security measures",
    "Art. 30(3)(d)": "Participation in threat-led penetration testing",
    "Art. 30(3)(e)": "Ongoing monitoring, access, inspection and audit rights",
    "Art. 30(3)(f)": "Exit strategies and transition period",
}

_AI_ACT = {
    "Art. 4": "AI literacy",
    "Art. 5": "Prohibited AI practices",
    "Art. 9": "Risk management system",
    "Art. 10": "Data and data governance",
    "Art. 11": "Technical documentation",
    "Art. 12": "Record-keeping",
    "Art. 13": "Transparency and information to deployers",
    "Art. 14": "Human oversight",
    "Art. 15": "Accuracy, robustness and cybersecurity",
    "Art. 17": "Quality management system",
    "Art. 18": "Documentation keeping",
    "Art. 19": "Automatically generated logs",
    "Art. 20": "Corrective actions and duty of information",
    "Art. 25": "Responsibilities along the AI value chain",
    "Art. 26": "Obligations of deployers of high-risk AI systems",
    "Art. 27": "Fundamental rights impact assessment",
    "Art. 50": "Transparency for certain AI systems",
    "Art. 72": "Post-market monitoring",
    "Art. 73": "Reporting of serious incidents",
}

_TITLES = {"iso42001": _ISO, "dora": _DORA, "ai_act": _AI_ACT}

_ARTICLE = re.compile(r"^(?:art(?:icle)?\.?)\s*(\d)", re.IGNORECASE)
_CLAUSE = re.compile(r"^clause\s+", re.IGNORECASE)


def normalise_control_id(framework: str, control_id: str) -> str:
    """One spelling per control so finding keys stay stable ("Art.30(2)" → "Art. 30(2)")."""
    cid = " ".join(str(control_id).split())
    if framework == "iso42001":
        cid = _CLAUSE.sub("", cid)
        if cid[:2] in ("a.", "A."):
            cid = "A." + cid[2:]
    else:
        cid = _ARTICLE.sub(r"Art. \1", cid)
    return cid


def control_title(framework: str, control_id: str) -> str:
    """The short title of a control, or of its nearest titled parent, or ''."""
    titles = _TITLES.get(framework, {})
    cid = control_id
    while cid:
        if cid in titles:
            return titles[cid]
        cut = max(cid.rfind("."), cid.rfind("("))
        if cut <= 0 or cid[:cut] in ("A", "Art"):
            break
        cid = cid[:cut]
    return ""
