"""A synthetic knowledge base of about N triples that follows the alignkb ontology and source format.

Deterministic (seeded). It writes source folders (``source.ttl`` + ``data.trig``, one named graph per passage
with its provenance record) shaped like the real KB but larger: many council areas with their bodies,
delegation arrangements over several dates and plans; instruments with parts and sections (some prospective,
some repealed); requirements with legal bases, preparers, outcomes, services, populations and indicators;
outcome and indicator sets with correspondences. Used by ``alignkb bench`` (bench/run.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

PREFIXES = """@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix kb: <https://w3id.org/alignkb/id/> .
@prefix src: <https://w3id.org/alignkb/source/> .
@prefix ev: <https://w3id.org/alignkb/evidence/{source}/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
SOURCE = """@prefix ak: <https://w3id.org/alignkb/ontology#> .
@prefix src: <https://w3id.org/alignkb/source/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
src:{source} a ak:Source ; rdfs:label "Synthetic source {source}" ; dcterms:title "Synthetic source {source}" ;
    ak:seedFile "{source}.txt" .
"""
BODY_TYPES = [
    "ak:bt-local-authority",
    "ak:bt-health-board",
    "ak:bt-integration-authority",
    "ak:bt-community-planning-partnership",
    "ak:bt-child-protection-committee",
    "ak:bt-alcohol-and-drug-partnership",
    "ak:bt-community-justice-partners",
    "ak:bt-corporate-parent",
    "ak:bt-chief-social-work-officer",
    "ak:bt-uncrc-listed-authority",
]
CYCLES = [("ak:Annual", "1.0"), ("ak:ThreeYearly", "3.0"), ("ak:FiveYearly", "5.0")]
STATUSES = ["ak:Delegated", "ak:NotDelegated", "ak:PartlyDelegated"]
N_CATEGORIES = 11
N_SERVICES = 40
N_POPULATIONS = 20


@dataclass
class Scale:
    areas: int
    instruments: int
    requirements: int
    outcome_sets: int
    indicator_sets: int

    @classmethod
    def for_factor(cls, s: float) -> Scale:
        return cls(
            areas=max(4, round(20 * s)),
            instruments=max(3, round(4 * s)),
            requirements=max(12, round(10 * s)),
            outcome_sets=max(3, round(3 * s)),
            indicator_sets=max(3, round(3 * s)),
        )


@dataclass
class Folder:
    """One source folder being written: its named graphs and their provenance records."""

    source: str
    records: list[str] = field(default_factory=list)
    graphs: list[str] = field(default_factory=list)
    triples: int = 0

    def graph(self, name: str, statements: list[str], locator: str, confidence: str = "ak:Confirmed") -> None:
        self.records.append(
            f'ev:{name} a ak:Assertion ; prov:wasDerivedFrom src:{self.source} ; ak:locator "{locator}" ; '
            f"ak:confidence {confidence} ."
        )
        self.graphs.append(f"ev:{name} {{\n" + "\n".join(statements) + "\n}")
        self.triples += 4 + sum(s.count(" ;") + s.count(" ,") + 1 for s in statements)

    def files(self) -> dict[str, str]:
        trig = PREFIXES.format(source=self.source) + "\n".join(self.records) + "\n\n" + "\n".join(self.graphs) + "\n"
        return {"source.ttl": SOURCE.format(source=self.source), "data.trig": trig}


def _date(rng: random.Random, start: int = 2000, end: int = 2026) -> str:
    return f'"{rng.randint(start, end)}-{rng.randint(1, 12):02d}-01"^^xsd:date'


def generate(scale: Scale, seed: int = 7) -> list[Folder]:
    rng = random.Random(seed)
    shared, law = Folder("syn-shared"), Folder("syn-law")
    reqs, places = Folder("syn-requirements"), Folder("syn-places")
    # service categories, services, population groups
    st = []
    for c in range(1, N_CATEGORIES + 1):
        st.append(f'kb:sc-{c} a ak:ServiceCategory ; rdfs:label "service category {c}" .')
    for s in range(1, N_SERVICES + 1):
        st.append(
            f'kb:svc-{s} a ak:Service ; rdfs:label "service {s}" ; skos:altLabel "svc {s}" ; '
            f"ak:inCategory kb:sc-{(s - 1) % N_CATEGORIES + 1} ."
        )
    for p in range(1, N_POPULATIONS + 1):
        boundary = " ; ak:boundaryGroup true" if p % 4 == 0 else ""
        st.append(f'kb:pop-{p} a ak:PopulationGroup ; rdfs:label "population group {p}"{boundary} .')
    shared.graph("vocab", st, "list 1")
    # outcome and indicator sets
    outcomes: list[str] = []
    for o in range(1, scale.outcome_sets + 1):
        st = [f'kb:oset-{o} a ak:OutcomeSet ; rdfs:label "outcome set {o}" .']
        for i in range(1, 13):
            iri = f"kb:out-{o}-{i}"
            link = ""
            if outcomes and rng.random() < 0.5:
                link = f" ; ak:contributesTo {rng.choice(outcomes)}"
            st.append(f'{iri} a ak:Outcome ; rdfs:label "outcome {o}.{i}" ; ak:inSet kb:oset-{o}{link} .')
            outcomes.append(iri)
        shared.graph(f"oset-{o}", st, f"outcome set {o}")
    indicators: list[str] = []
    for s in range(1, scale.indicator_sets + 1):
        st = [f'kb:iset-{s} a ak:IndicatorSet ; rdfs:label "indicator set {s}" .']
        for i in range(1, 26):
            iri = f"kb:ind-{s}-{i}"
            extra = f" ; ak:measures {rng.choice(outcomes)}" if rng.random() < 0.7 else ""
            if indicators and rng.random() < 0.15:
                extra += f" ; skos:exactMatch {rng.choice(indicators)}"
            st.append(f'{iri} a ak:Indicator ; rdfs:label "indicator {s}.{i}" ; ak:inSet kb:iset-{s}{extra} .')
            indicators.append(iri)
        shared.graph(f"iset-{s}", st, f"indicator set {s}")
    # instruments and provisions
    provisions: list[str] = []
    for n in range(1, scale.instruments + 1):
        base = f"https://www.legislation.gov.uk/id/asp/2000/{n}"
        st = [
            f'kb:inst-{n} a ak:Act ; rdfs:label "Synthetic Act {n}" ; ak:shortTitle "SA {n}" ; '
            f"ak:legislationId <{base}> ; ak:enactedOn {_date(rng, 1995, 2000)} .",
            f'kb:inst-{n}-s99 a ak:Section ; rdfs:label "Synthetic Act {n}, s.99" ; ak:partOf kb:inst-{n} ; '
            f'ak:provisionNumber "99" ; ak:legislationId <{base}/section/99> .',
            f'kb:inst-{n}-commencement a ak:Commencement ; rdfs:label "Synthetic Act {n} in force" ; '
            f"ak:commences kb:inst-{n} ; ak:effectiveOn {_date(rng, 2000, 2015)} ; ak:appointedBy kb:inst-{n}-s99 ; "
            'ak:appointingPlace "s.99(1)" .',
        ]
        for part in range(1, 4):
            prospective = " ; ak:status ak:Prospective" if rng.random() < 0.1 else ""
            st.append(
                f'kb:inst-{n}-part-{part} a ak:Part ; rdfs:label "Synthetic Act {n}, Part {part}" ; '
                f'ak:partOf kb:inst-{n} ; ak:provisionNumber "Part {part}" ; '
                f"ak:legislationId <{base}/part/{part}>{prospective} ."
            )
            for sec in range(part * 4 - 3, part * 4 + 1):
                dates = ""
                iri = f"kb:inst-{n}-s{sec}"
                r = rng.random()
                if r < 0.5:
                    st.append(
                        f'{iri}-commencement a ak:Commencement ; rdfs:label "Synthetic Act {n}, s.{sec} in force" ; '
                        f"ak:commences {iri} ; ak:effectiveOn {_date(rng, 2005, 2027)} ; "
                        f'ak:appointedBy kb:inst-{n}-s99 ; ak:appointingPlace "s.99(2)" .'
                    )
                if r < 0.1:
                    dates += f" ; ak:repealedOn {_date(rng, 2020, 2028)} ; ak:repealedBy kb:inst-{n}-s99"
                st.append(
                    f'{iri} a ak:Section ; rdfs:label "Synthetic Act {n}, s.{sec}" ; '
                    f'ak:partOf kb:inst-{n}-part-{part} ; ak:provisionNumber "{sec}" ; '
                    f"ak:legislationId <{base}/section/{sec}>{dates} ."
                )
                provisions.append(iri)
        law.graph(f"inst-{n}", st, f"Act {n}")
    # requirements
    req_iris = [f"kb:req-{r}" for r in range(1, scale.requirements + 1)]
    for r, iri in enumerate(req_iris, start=1):
        kind = "ak:PlanRequirement" if r % 2 else "ak:ReportRequirement"
        cycle, years = rng.choice(CYCLES)
        preparers = rng.sample(BODY_TYPES, rng.choice([1, 1, 2]))
        must = [*rng.sample(outcomes, 3), f"kb:oset-{rng.randint(1, scale.outcome_sets)}"]
        services = [
            *rng.sample([f"kb:svc-{s}" for s in range(1, N_SERVICES + 1)], 2),
            f"kb:sc-{rng.randint(1, N_CATEGORIES)}",
        ]
        pops = rng.sample([f"kb:pop-{p}" for p in range(1, N_POPULATIONS + 1)], 2)
        reported = [*rng.sample(indicators, 2), f"kb:iset-{rng.randint(1, scale.indicator_sets)}"]
        bases = rng.sample(provisions, rng.choice([1, 2]))
        lines = [
            f'{iri} a {kind} ; rdfs:label "requirement {r}" ; ak:statutory true ; ak:cycle {cycle} ; '
            f"ak:periodYears {years} ; ak:preparerType {' , '.join(preparers)} ; "
            f"ak:jointlyPrepared {'true' if len(preparers) > 1 else 'false'} ; "
            f"ak:legalBasis {' , '.join(bases)} ; ak:recipient ak:bt-scottish-ministers ; "
            f"ak:mustAddress {' , '.join(must)} ; ak:coversService {' , '.join(services)} ; "
            f"ak:coversPopulation {' , '.join(pops)} ; ak:reportsIndicator {' , '.join(reported)} ; "
            f'ak:dueRule "within {rng.randint(1, 6)} months of the period end" .'
        ]
        if kind == "ak:ReportRequirement" and r > 1:
            lines.append(f"{iri} ak:reportsOn {req_iris[r - 2]} .")
        if rng.random() < 0.05 and r < len(req_iris):
            lines.append(f"{iri} ak:supersededBy {req_iris[r]} .")
        if rng.random() < 0.1:
            lines.append(f'{iri} ak:unknownAspect "consultees" .')
        reqs.graph(f"req-{r}", lines, f"requirement {r}")
    # places, bodies, delegation arrangements and plans
    n_boards = max(1, scale.areas // 4)
    st = []
    for b in range(1, n_boards + 1):
        st.append(f'kb:hb-area-{b} a ak:HealthBoardArea ; rdfs:label "health board area {b}" .')
        st.append(
            f'kb:nhs-{b} a ak:Body ; rdfs:label "NHS board {b}" ; ak:bodyType ak:bt-health-board ; '
            f"ak:forArea kb:hb-area-{b} ."
        )
    places.graph("boards", st, "boards")
    plan_reqs = [i for n, i in enumerate(req_iris, start=1) if n % 2]
    for a in range(1, scale.areas + 1):
        board = (a - 1) % n_boards + 1
        st = [
            f'kb:area-{a} a ak:CouncilArea ; rdfs:label "Area {a}" ; skos:altLabel "Areashire {a}" ; '
            f"ak:withinArea kb:hb-area-{board} .",
            f'kb:area-{a}-council a ak:Body ; rdfs:label "Area {a} Council" ; ak:bodyType ak:bt-local-authority ; '
            f"ak:forArea kb:area-{a} .",
            f'kb:area-{a}-ijb a ak:Body ; rdfs:label "Area {a} IJB" ; ak:bodyType ak:bt-integration-joint-board ; '
            f"ak:forArea kb:area-{a} .",
            f'kb:area-{a}-cpp a ak:Body ; rdfs:label "Area {a} CPP" ; '
            f"ak:bodyType ak:bt-community-planning-partnership ; ak:forArea kb:area-{a} .",
        ]
        for n, req in enumerate(rng.sample(plan_reqs, min(4, len(plan_reqs))), start=1):
            year = rng.randint(2015, 2024)
            st.append(
                f'kb:plan-{a}-{n} a ak:Plan ; rdfs:label "Area {a} plan {n}" ; ak:realises {req} ; '
                f"ak:forArea kb:area-{a} ; ak:preparedBy kb:area-{a}-council ; "
                f'ak:periodStart "{year}-04-01"^^xsd:date ; ak:periodEnd "{year + 3}-03-31"^^xsd:date ; '
                f"ak:addresses {rng.choice(outcomes)} ."
            )
        places.graph(f"area-{a}", st, f"area {a}")
        for year in (2019, 2022):
            st = []
            for c in range(1, N_CATEGORIES + 1):
                status = rng.choice(STATUSES)
                to = f" ; ak:delegatedTo kb:area-{a}-ijb" if status != "ak:NotDelegated" else ""
                st.append(
                    f"kb:deleg-{a}-{c}-{year} a ak:DelegationArrangement ; "
                    f'rdfs:label "Area {a}: category {c} ({year})" ; ak:inArea kb:area-{a} ; '
                    f"ak:serviceCategory kb:sc-{c} ; ak:delegationStatus {status}{to} ; "
                    f'ak:asAt "{year}-03-01"^^xsd:date .'
                )
            places.graph(f"deleg-{a}-{year}", st, f"appendix {year}, area {a}")
    return [shared, law, reqs, places]


def count(folders: list[Folder]) -> int:
    return sum(f.triples for f in folders)


def calibrated(target: int, seed: int = 7) -> list[Folder]:
    """Folders of roughly ``target`` triples (one calibration pass)."""
    probe = generate(Scale.for_factor(1.0), seed)
    factor = max(0.05, target / max(count(probe), 1))
    return generate(Scale.for_factor(factor), seed)


def write_home(root: Path, ontology: Path, target: int, seed: int = 7) -> int:
    """Write a home (ontology copied, sources generated) at ``root``; return the estimated triple count."""
    import shutil

    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(ontology, root / "ontology")
    folders = calibrated(target, seed)
    for folder in folders:
        path = root / "sources" / folder.source
        path.mkdir(parents=True)
        for name, text in folder.files().items():
            (path / name).write_text(text)
    return count(folders)


def write_addition(root: Path) -> int:
    """Add a small source folder to a generated home, as a researcher adding a survey would: two indicators in
    an existing set, a newer delegation arrangement for an existing area, and a requirement now reporting one of
    the new indicators. Returns its triple count."""
    folder = Folder("syn-addition")
    folder.graph(
        "survey",
        [
            'kb:survey-ind-1 a ak:Indicator ; rdfs:label "survey indicator 1" ; ak:inSet kb:iset-1 .',
            'kb:survey-ind-2 a ak:Indicator ; rdfs:label "survey indicator 2" ; ak:inSet kb:iset-1 .',
            'kb:deleg-1-1-2025 a ak:DelegationArrangement ; rdfs:label "Area 1: category 1 (2025)" ; '
            "ak:inArea kb:area-1 ; ak:serviceCategory kb:sc-1 ; ak:delegationStatus ak:Delegated ; "
            'ak:asAt "2025-04-01"^^xsd:date .',
            "kb:req-1 ak:reportsIndicator kb:survey-ind-1 .",
        ],
        "table 2",
    )
    path = root / "sources" / folder.source
    path.mkdir(parents=True)
    for name, text in folder.files().items():
        (path / name).write_text(text)
    return folder.triples


BENCH_PARAMS = {
    "alignment": {"area": "kb:area-1"},
    "obligations": {"area": "kb:area-1", "service": "kb:svc-1"},
    "overlaps": {},
    "duplicate-reporting": {},
    "gaps": {},
    "burden": {"area": "kb:area-1"},
    "landscape-at": {"date": "2020-06-01"},
    "changes": {"from": "2018-01-01", "to": "2024-01-01"},
    "impact": {"provision": "kb:inst-1"},
    "conflicts": {},
    "evidence": {"entity": "kb:area-1"},
    "delegation": {"area": "kb:area-1"},
    "crosswalk": {"from": "kb:oset-1", "to": "kb:oset-2"},
    "merge": {"first": "kb:req-1", "second": "kb:req-2", "area": "kb:area-1"},
    "calendar": {"area": "kb:area-1"},
}
