"""What the published dataset says about itself: its IRIs, its licence and attribution, the files of a build and
the JSON-LD context.

The data is published under the Open Government Licence v3.0: it restates, cites and quotes Crown copyright
material (legislation.gov.uk, gov.scot), which that licence allows with the attribution below (LICENSE-DATA.md).
The ontology graph inside it also carries its own dcterms:license (CC BY 4.0), which allows the same reuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.model.namespace import BASE, ONTOLOGY_IRI, PREFIXES

DATASET_IRI = BASE + "dataset"
SPARQL_ENDPOINT = BASE + "sparql"
CONTEXT_IRI = BASE + "context.jsonld"
DOWNLOADS = BASE + "downloads/"
RELEASES = BASE + "releases/"
ENTITY_SPACE = BASE + "id/"
EXAMPLE_RESOURCE = ENTITY_SPACE + "inverclyde"

DATA_LICENCE = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
DATA_LICENCE_NAME = "Open Government Licence v3.0"
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."
CODE_LICENCE = "https://opensource.org/license/mit"
CODE_LICENCE_NAME = "MIT"
TITLE = "alignkb: Scotland's children's and health and social care policy landscape"
DESCRIPTION = (
    "The Acts and provisions that require statutory plans and reports in Scotland's children's services and "
    "health and social care, who must prepare them, the outcomes and indicators they must address, and the "
    "bodies, areas, services and delegation arrangements involved; every statement in a named graph that cites "
    "its source and the place in it."
)


@dataclass(frozen=True)
class DumpFormat:
    """One of the dumps a build writes."""

    file: str
    title: str
    media_type: str
    note: str  # what it holds, in words


DUMPS: tuple[DumpFormat, ...] = (
    DumpFormat(
        "kb.nq",
        "N-Quads",
        "application/n-quads",
        "Every statement in its named graph (one graph per evidence passage, plus the ontology, the sources, the "
        "provenance records and the types the class hierarchy implies), one per line, sorted.",
    ),
    DumpFormat(
        "kb.trig",
        "TriG",
        "application/trig",
        "The same statements and named graphs as the N-Quads dump, grouped by graph.",
    ),
    DumpFormat(
        "kb.ttl",
        "Turtle",
        "text/turtle",
        "Every statement merged into the default graph (named graphs dropped, each statement once), for tools "
        "that read triples only; which passage says what is in the N-Quads, TriG and JSON-LD dumps.",
    ),
    DumpFormat(
        "kb.jsonld",
        "JSON-LD",
        "application/ld+json",
        "The same statements and named graphs as the N-Quads dump, with the published context written inline "
        "(the document reads without fetching anything).",
    ),
)
VOID_FILE = "void.ttl"
SUMS_FILE = "SHA256SUMS"
CONTEXT_FILE = "context.jsonld"


def version_iri(version: str) -> str:
    """The ontology's (and the dataset's) version IRI for a version: one version for the package, the ontology
    and releases (pyproject.toml's, read by kb.__version__)."""
    return f"{ONTOLOGY_IRI}/{version}"


def jsonld_context() -> dict[str, object]:
    """The JSON-LD context published at /context.jsonld: the project's prefixes, so that keys and types read as
    ``ak:legalBasis``, ``rdfs:label``; identifiers stay full IRIs."""
    return {"@context": dict(PREFIXES)}


def licence_text(version: str) -> str:
    """The data licence note written beside the dumps of a release (LICENSE-DATA.md in the repository)."""
    return (
        f"# Licence of the alignkb data (version {version})\n\n"
        f"The data (every dump, the dataset description and the CSV files) is licensed under the "
        f"{DATA_LICENCE_NAME}: {DATA_LICENCE}\n\n"
        f"Attribution, to be kept with any copy or adaptation:\n\n> {ATTRIBUTION}\n\n"
        "It restates, cites and quotes Crown copyright material from legislation.gov.uk and gov.scot, published "
        "under that licence. The ontology graph (https://w3id.org/alignkb/graph/ontology) is also available under "
        "CC BY 4.0, as its header says. The code that builds it is MIT-licensed (LICENSE).\n"
    )
