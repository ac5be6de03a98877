"""A diagram of the core classes, generated from the ontology as SVG.

Boxes are the core classes at fixed places on a grid (so the picture is stable from release to release);
arrows are object properties, read from their rdfs:domain and rdfs:range. Properties that deliberately have an
open domain or range (``ak:mustAddress`` may point at an outcome, a set or a framework) are drawn to the class they
most often point at, listed in DRAWN_AS; a test checks every arrow names a real property.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kb.model.namespace import AK
from kb.model.paths import Home

AKNS = str(AK._NS)
GRID: dict[str, tuple[int, int]] = {
    "LegalInstrument": (0, 0),
    "Provision": (1, 0),
    "Requirement": (2, 0),
    "Plan": (3, 0),
    "Area": (4, 0),
    "PolicyDocument": (0, 1),
    "PolicyFramework": (1, 1),
    "Outcome": (2, 1),
    "LocalOutcome": (3, 1),
    "Body": (4, 1),
    "FrameworkComponent": (0, 2),
    "OutcomeSet": (1, 2),
    "Indicator": (2, 2),
    "IndicatorSet": (3, 2),
    "BodyType": (4, 2),
    "Finding": (0, 3),
    "Service": (1, 3),
    "ServiceCategory": (2, 3),
    "DelegationArrangement": (3, 3),
    "PopulationGroup": (4, 3),
    "Conflict": (0, 4),
    "Assertion": (1, 4),
    "Source": (2, 4),
}
# property → (domain, range) used only where the ontology leaves one side open on purpose
DRAWN_AS: dict[str, tuple[str, str]] = {
    "mustAddress": ("Requirement", "Outcome"),
    "reportsIndicator": ("Requirement", "Indicator"),
    "coversService": ("Requirement", "ServiceCategory"),
    "coversPopulation": ("Requirement", "PopulationGroup"),
    "recipient": ("Requirement", "BodyType"),
    "basisDocument": ("Requirement", "PolicyDocument"),
    "inSet": ("Indicator", "IndicatorSet"),
    "concerns": ("Finding", "Requirement"),
    "contributesTo": ("Outcome", "Outcome"),
    "addresses": ("LocalOutcome", "Outcome"),
    "partOf": ("Provision", "LegalInstrument"),
    "inFramework": ("OutcomeSet", "PolicyFramework"),
    "delegatedTo": ("DelegationArrangement", "Body"),
    "wasDerivedFrom": ("Assertion", "Source"),
}
W, H, GX, GY, PAD = 180, 44, 290, 120, 30


@dataclass(frozen=True)
class Edge:
    prop: str
    source: str
    target: str


def edges(graph: rdflib.Graph) -> list[Edge]:
    found: dict[tuple[str, str, str], Edge] = {}
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        name = str(prop).rsplit("#", 1)[-1]
        domain = graph.value(prop, RDFS.domain)
        rng = graph.value(prop, RDFS.range)
        d = str(domain)[len(AKNS) :] if domain is not None and str(domain).startswith(AKNS) else None
        r = str(rng)[len(AKNS) :] if rng is not None and str(rng).startswith(AKNS) else None
        if name in DRAWN_AS:
            d, r = DRAWN_AS[name]
        if d in GRID and r in GRID:
            found[(name, d, r)] = Edge(name, d, r)
    return sorted(found.values(), key=lambda e: (e.source, e.target, e.prop))


def _centre(name: str) -> tuple[float, float]:
    col, row = GRID[name]
    return PAD + col * GX + W / 2, PAD + row * GY + H / 2


def _anchor(name: str, toward: tuple[float, float]) -> tuple[float, float]:
    cx, cy = _centre(name)
    dx, dy = toward[0] - cx, toward[1] - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min((W / 2) / abs(dx) if dx else float("inf"), (H / 2) / abs(dy) if dy else float("inf"))
    return cx + dx * scale, cy + dy * scale


def svg(graph: rdflib.Graph) -> str:
    width = PAD * 2 + 4 * GX + W + 90
    height = PAD * 2 + 4 * GY + H
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="diagram-title" font-family="sans-serif" font-size="12">',
        '<title id="diagram-title">Core classes of the alignkb ontology and the properties between them</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>',
    ]
    loops: dict[str, list[str]] = {}
    for edge in edges(graph):
        if edge.source == edge.target:
            loops.setdefault(edge.source, []).append(edge.prop)
            continue
        start = _anchor(edge.source, _centre(edge.target))
        end = _anchor(edge.target, _centre(edge.source))
        parts.append(
            f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" y2="{end[1]:.1f}" stroke="#666" '
            f'marker-end="url(#arrow)"><title>ak:{edge.prop}: {edge.source} → {edge.target}</title></line>'
        )
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        parts.append(
            f'<text x="{mx:.1f}" y="{my - 3:.1f}" text-anchor="middle" fill="#1a1a1a" '
            f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(edge.prop)}</text>'
        )
    for name, props in loops.items():
        cx, cy = _centre(name)
        names = escape(", ".join("ak:" + p for p in props))
        parts.append(
            f'<path d="M{cx + W / 2 - 20},{cy - H / 2} c 30,-40 60,-10 20,{H / 2 - 5}" fill="none" '
            f'stroke="#666" marker-end="url(#arrow)"><title>{names}</title></path>'
        )
        for i, prop in enumerate(props):
            parts.append(f'<text x="{cx + W / 2 + 6}" y="{cy - H / 2 - 10 + i * 14}" fill="#444">{escape(prop)}</text>')
    for name in GRID:
        col, row = GRID[name]
        x, y = PAD + col * GX, PAD + row * GY
        label = graph.value(rdflib.URIRef(AKNS + name), RDFS.label) or name
        parts.append(
            f'<a href="#{name}"><rect x="{x}" y="{y}" width="{W}" height="{H}" rx="6" fill="#e8f0fa" '
            f'stroke="#0065bd" stroke-width="1.5"/><text x="{x + W / 2}" y="{y + H / 2 + 4}" text-anchor="middle" '
            f'font-weight="bold" fill="#0b0c0c">{escape(str(label))}</text></a>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def ontology_graph(home: Home) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in home.ontology_files():
        graph.parse(path, format="turtle")
    return graph
