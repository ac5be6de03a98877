"""People see words, not machinery: curators' notes may name things by identifier ("recorded in ev:…", "see
kb:conflict-…", "ak:partOf records …"), and the pages name them in words — an entity or term by its label, another
evidence record by the place it cites — on every evidence page that has a note and every entity page with a note,
in the real knowledge base. Identifiers stay in the technical-detail disclosures and the downloads."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kb.model.paths import Home
from tests.webapp_support import make_app

pytestmark = pytest.mark.slow

IDENTIFIER = re.compile(r"\b(?:kb|ak|ev|src|skos|rdfs|dcterms|prov|owl):[A-Za-z][\w-]*")
NOTES = "|".join(
    f"<{iri}>"
    for iri in (
        "http://www.w3.org/2000/01/rdf-schema#comment",
        "http://www.w3.org/2004/02/skos/core#definition",
        "http://www.w3.org/2004/02/skos/core#scopeNote",
        "http://www.w3.org/2004/02/skos/core#historyNote",
    )
)


@pytest.fixture(scope="module")
def client(built_home: Home) -> FlaskClient:
    return make_app(built_home).test_client()


@pytest.fixture(scope="module")
def dump(built_home: Home) -> ox.Store:
    store = ox.Store()
    store.load(path=str(built_home.dist / "kb.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def _visible(html: str) -> str:
    main = html[html.find("<main") : html.find("</main>")]
    main = re.sub(r"<details.*?</details>", " ", main, flags=re.S)  # the technical detail may show identifiers
    return re.sub(r"<[^>]+>", " ", main)


def _pages_with_notes(dump: ox.Store) -> list[str]:
    graphs = dump.query(
        "SELECT DISTINCT ?g WHERE { GRAPH <https://w3id.org/alignkb/graph/provenance> "
        "{ ?g <http://www.w3.org/2000/01/rdf-schema#comment> ?c } }"
    )
    entities = dump.query(
        f"SELECT DISTINCT ?e WHERE {{ ?e {NOTES} ?c FILTER(STRSTARTS(STR(?e), 'https://w3id.org/alignkb/id/')) }}",
        use_default_graph_as_union=True,
    )
    iris = [r["g"].value for r in graphs] + [r["e"].value for r in entities]  # type: ignore[union-attr]
    return sorted(iri.replace("https://w3id.org/alignkb", "") for iri in iris)


def test_no_page_with_a_curators_note_shows_an_identifier_outside_the_technical_detail(
    client: FlaskClient, dump: ox.Store
) -> None:
    paths = _pages_with_notes(dump)
    assert len(paths) > 500
    shown = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        found = IDENTIFIER.findall(_visible(response.get_data(as_text=True)))
        if found:
            shown[path] = found[:3]
    assert shown == {}


def test_a_note_that_names_another_record_names_the_place_it_cites(client: FlaskClient) -> None:
    data = client.get("/evidence/govscot-npf/ind-trust-in-public-organisations-unconfirmed.json").get_json()
    assert "ev:" in data["comment_as_recorded"]
    assert "ev:" not in data["comment"]
    assert "another record of this source, at \u201chttps://www.gov.scot/publications/" in data["comment"]


def test_a_recorded_note_keeps_its_identifiers_in_the_dataset(built_home: Home) -> None:
    """Only the pages name things in words: the dumps hold each note as the curators wrote it."""
    dump = (built_home.dist / "kb.nq").read_text()
    assert "(ev:npf-international-six-indicators)" in dump
