"""Scaffolding for curators: a new source folder with its citation record, and blank templates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kb.inputs.templates import TEMPLATES, write_blank
from kb.model.paths import Home

SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ScaffoldError(ValueError):
    """The folder cannot be created as asked."""


@dataclass(frozen=True)
class NewSource:
    source_id: str
    title: str
    publisher: str
    url: str | None = None
    issued: str | None = None
    seed_file: str | None = None
    note: str | None = None


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def citation_record(new: NewSource) -> str:
    lines = [
        "@prefix ak: <https://w3id.org/alignkb/ontology#> .",
        "@prefix src: <https://w3id.org/alignkb/source/> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"src:{new.source_id} a ak:Source ;",
        f"    rdfs:label {_literal(new.title)}@en ;",
        f"    dcterms:title {_literal(new.title)}@en ;",
        f"    dcterms:publisher {_literal(new.publisher)} ;",
    ]
    if new.issued:
        kind = "date" if len(new.issued) == 10 else "gYearMonth" if len(new.issued) == 7 else "gYear"
        lines.append(f'    dcterms:issued "{new.issued}"^^xsd:{kind} ;')
    if new.url:
        lines.append(f'    ak:url "{new.url}"^^xsd:anyURI ;')
        lines.append(f'    ak:accessed "{date.today().isoformat()}"^^xsd:date ;')
    if new.seed_file:
        lines.append(f"    ak:seedFile {_literal(new.seed_file)} ;")
    if new.note:
        lines.append(f"    skos:editorialNote {_literal(new.note)}@en ;")
    lines[-1] = lines[-1][:-2] + " ."
    return "\n".join(lines) + "\n"


ASSERTIONS_EXAMPLE = """# Assertions from {source_id}: one named graph per passage. See sources/README.md.
@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix kb: <https://w3id.org/alignkb/id/> .
@prefix src: <https://w3id.org/alignkb/source/> .
@prefix ev: <https://w3id.org/alignkb/evidence/{source_id}/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# ev:p1 a ak:Assertion ; prov:wasDerivedFrom src:{source_id} ; ak:locator "section 1" ; ak:confidence ak:Confirmed .
# ev:p1 {{
#     kb:example a ak:PopulationGroup ; rdfs:label "Example group"@en .
# }}
"""


def new_source(home: Home, new: NewSource, templates: tuple[str, ...] = ()) -> Path:
    if not SOURCE_ID.match(new.source_id):
        raise ScaffoldError(f"source id '{new.source_id}' must be lower-case letters, digits and hyphens")
    if not (new.url or new.seed_file):
        raise ScaffoldError("give --url (a public source) or --seed-file (a seed document)")
    for kind in templates:
        if kind not in TEMPLATES:
            raise ScaffoldError(f"unknown template '{kind}' (known: {', '.join(TEMPLATES)})")
    folder = home.sources / new.source_id
    if folder.exists():
        raise ScaffoldError(f"sources/{new.source_id} already exists")
    folder.mkdir(parents=True)
    (folder / "source.ttl").write_text(citation_record(new))
    (folder / "assertions.trig").write_text(ASSERTIONS_EXAMPLE.format(source_id=new.source_id))
    for kind in templates:
        write_blank(folder / f"{new.source_id}.{kind}.csv", kind)
    return folder
