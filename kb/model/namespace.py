"""Typed namespaces: the project ontology as an rdflib DefinedNamespace, and the IRI bases.

``AK`` lists every term of ontology/alignkb.ttl and ontology/vocabularies.ttl; a test checks that the two
agree, so code cannot use a term the ontology lacks.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/alignkb/"
KB = Namespace(BASE + "id/")
SRC = Namespace(BASE + "source/")
EVIDENCE = BASE + "evidence/"
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")

ONTOLOGY_GRAPH = GRAPH["ontology"]
SOURCES_GRAPH = GRAPH["sources"]
PROVENANCE_GRAPH = GRAPH["provenance"]


class AK(DefinedNamespace):
    """The alignkb ontology."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")
    _extras = [  # noqa: RUF012 (rdflib DefinedNamespace API)
        "bt-adult-protection-committee",
        "bt-alcohol-and-drug-partnership",
        "bt-chief-officers-group",
        "bt-chief-social-work-officer",
        "bt-child-protection-committee",
        "bt-childrens-services-planning-partnership",
        "bt-community-justice-partners",
        "bt-community-planning-partnership",
        "bt-corporate-parent",
        "bt-health-board",
        "bt-integration-authority",
        "bt-integration-joint-board",
        "bt-integration-joint-monitoring-committee",
        "bt-lead-agency",
        "bt-local-authority",
        "bt-national-body",
        "bt-other-service-provider",
        "bt-regulator",
        "bt-scottish-ministers",
        "bt-scottish-parliament",
        "bt-special-health-board",
        "bt-third-sector",
        "bt-uncrc-listed-authority",
    ]

    Act: URIRef
    Annual: URIRef
    Area: URIRef
    Article: URIRef
    Assertion: URIRef
    Biennial: URIRef
    Bill: URIRef
    Body: URIRef
    BodyCorporateModel: URIRef
    BodyType: URIRef
    BroaderCorrespondence: URIRef
    CloseCorrespondence: URIRef
    Commencement: URIRef
    Condition: URIRef
    Confidence: URIRef
    Confirmed: URIRef
    Conflict: URIRef
    ContributesCorrespondence: URIRef
    CorrespondenceType: URIRef
    CouncilArea: URIRef
    Current: URIRef
    Cycle: URIRef
    CycleUnknown: URIRef
    Delegated: URIRef
    DelegationArrangement: URIRef
    DelegationStatus: URIRef
    Enacted: URIRef
    ExactCorrespondence: URIRef
    Finding: URIRef
    FiveYearly: URIRef
    FourYearly: URIRef
    Foundation: URIRef
    FrameworkComponent: URIRef
    Gap: URIRef
    HealthBoardArea: URIRef
    InForce: URIRef
    Indicator: URIRef
    IndicatorSet: URIRef
    IntegrationModel: URIRef
    Issue: URIRef
    KeptUnderReview: URIRef
    LeadAgencyModel: URIRef
    LegalInstrument: URIRef
    LocalOutcome: URIRef
    Locality: URIRef
    NarrowerCorrespondence: URIRef
    NotDelegated: URIRef
    OnRequest: URIRef
    OneOff: URIRef
    Outcome: URIRef
    OutcomeSet: URIRef
    Part: URIRef
    PartlyDelegated: URIRef
    PartlyInForce: URIRef
    Plan: URIRef
    PlanRequirement: URIRef
    PolicyDocument: URIRef
    PolicyFramework: URIRef
    PopulationGroup: URIRef
    PracticeTool: URIRef
    Principle: URIRef
    Priority: URIRef
    Proposed: URIRef
    ProposedDelegation: URIRef
    Prospective: URIRef
    Provision: URIRef
    Quarterly: URIRef
    Recommendation: URIRef
    Repealed: URIRef
    ReportRequirement: URIRef
    Requirement: URIRef
    Retired: URIRef
    Risk: URIRef
    Schedule: URIRef
    Secondary: URIRef
    Section: URIRef
    Service: URIRef
    ServiceCategory: URIRef
    Source: URIRef
    Standard: URIRef
    Status: URIRef
    StatutoryGuidance: URIRef
    StatutoryInstrument: URIRef
    Subsection: URIRef
    Superseded: URIRef
    Theme: URIRef
    ThreeYearly: URIRef
    Treaty: URIRef
    Unconfirmed: URIRef
    Undelegated: URIRef
    Withdrawn: URIRef
    accessed: URIRef
    accountableTo: URIRef
    addresses: URIRef
    ageMax: URIRef
    ageMin: URIRef
    amends: URIRef
    appointedBy: URIRef
    appointingPlace: URIRef
    asAt: URIRef
    basisDocument: URIRef
    bodyType: URIRef
    boundaryGroup: URIRef
    broaderType: URIRef
    citationScheme: URIRef
    collectedBy: URIRef
    commencedBy: URIRef
    commences: URIRef
    concerns: URIRef
    confidence: URIRef
    conflictNote: URIRef
    conflictingAssertion: URIRef
    constituentAuthority: URIRef
    consultee: URIRef
    contributesTo: URIRef
    coversPopulation: URIRef
    coversService: URIRef
    cycle: URIRef
    dataSource: URIRef
    declaredSize: URIRef
    delegatedTo: URIRef
    delegationStatus: URIRef
    dissolvedOn: URIRef
    dueAsSoonAsPracticable: URIRef
    dueDayMonth: URIRef
    dueMonthsAfterPeriod: URIRef
    dueOn: URIRef
    dueRule: URIRef
    dueSetBy: URIRef
    effectiveOn: URIRef
    enactedAs: URIRef
    enactedOn: URIRef
    establishedBy: URIRef
    establishedOn: URIRef
    example: URIRef
    firstPeriodEnd: URIRef
    firstPeriodStart: URIRef
    forArea: URIRef
    forPurpose: URIRef
    hasPriority: URIRef
    inArea: URIRef
    inCategory: URIRef
    inForceFrom: URIRef
    inFramework: URIRef
    inSet: URIRef
    integrationModel: URIRef
    introducedOn: URIRef
    jointlyPrepared: URIRef
    laterAddition: URIRef
    leadsFor: URIRef
    legalBasis: URIRef
    legislationId: URIRef
    locator: URIRef
    madeUnder: URIRef
    measureDefinition: URIRef
    measures: URIRef
    memberOf: URIRef
    mustAddress: URIRef
    mustHaveRegardTo: URIRef
    nationalScope: URIRef
    order: URIRef
    partOf: URIRef
    periodAnchor: URIRef
    periodEnd: URIRef
    periodStart: URIRef
    periodYears: URIRef
    preparedBy: URIRef
    preparer: URIRef
    preparerType: URIRef
    provisionNumber: URIRef
    published: URIRef
    publishedOn: URIRef
    quote: URIRef
    rationale: URIRef
    realises: URIRef
    recipient: URIRef
    repealedBy: URIRef
    repealedOn: URIRef
    reportedNationally: URIRef
    reportsIndicator: URIRef
    reportsOn: URIRef
    resolution: URIRef
    seedFile: URIRef
    serviceCategory: URIRef
    setAsideBy: URIRef
    setOutIn: URIRef
    shortTitle: URIRef
    sizeCounts: URIRef
    status: URIRef
    statusAsAt: URIRef
    statutory: URIRef
    supersededBy: URIRef
    unknownAspect: URIRef
    url: URIRef
    validFrom: URIRef
    validUntil: URIRef
    versionOf: URIRef
    withinArea: URIRef


PREFIXES: dict[str, str] = {
    "ak": str(AK._NS),
    "kb": str(KB),
    "src": str(SRC),
    "ev": EVIDENCE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "eli": "http://data.europa.eu/eli/ontology#",
}


def curie(iri: str) -> str | None:
    """``prefix:local`` for an IRI under one of :data:`PREFIXES`, else None. The only IRI compaction in the project."""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base) :]}"
    return None


def compact(iri: str) -> str:
    """:func:`curie` where there is one, else the IRI as it is."""
    return curie(iri) or iri


def expand(text: str) -> str | None:
    """The full IRI of an IRI (bare or in ``<…>``) or of a CURIE under :data:`PREFIXES`; None for anything else.
    The only IRI expansion in the project."""
    text = text.strip().strip("<>")
    if re.match(r"^https?://\S+$", text):
        return text
    m = re.match(r"^([a-z]+):([A-Za-z0-9_.\-/#]+)$", text)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + m.group(2)
    return None
