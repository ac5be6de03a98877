"""The label matcher: names as people type them, IRIs, variants, and helpful errors."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kb.analyses.labels import ParameterError, normalise, resolve, search
from kb.model.namespace import expand
from kb.store import OxigraphStore

from .test_analyses import fixture_home  # noqa: F401  (session fixture reused)

KB = "https://w3id.org/alignkb/id/"


@pytest.fixture
def store(fixture_home) -> OxigraphStore:  # type: ignore[no-untyped-def]  # noqa: F811
    return OxigraphStore.from_dist(fixture_home("obligations").dist)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Children & Families Social Work", "children and families social work"),
        ("children's services plan", "childrens services plan"),
        ("CYP Act 2014 s.8", "cyp act 2014 s 8"),
        ("CYP Act 2014 section 8", "cyp act 2014 s 8"),
        ("CYP Act 2014 s8", "cyp act 2014 s 8"),
        ("Children and Young People (Scotland) Act 2014", "children and young people act 2014"),
        ("  Health   Visiting ", "health visiting"),
    ],
)
def test_normalise_makes_variants_meet(typed: str, key: str) -> None:
    assert normalise(typed) == key


def test_expand_takes_full_and_prefixed_iris() -> None:
    assert expand("kb:inverclyde") == KB + "inverclyde"
    assert expand("<https://w3id.org/alignkb/id/x>") == KB + "x"
    assert expand("Inverclyde") is None


@pytest.mark.parametrize(
    ("typed", "types", "iri"),
    [
        ("Alphashire", ["ak:Area"], "area-a"),
        ("alphashire", None, "area-a"),
        ("Alfashire", ["ak:Area"], "area-a"),
        ("health visitors", ["ak:Service"], "svc-hv"),
        ("Health Visiting", ["ak:Service", "ak:ServiceCategory"], "svc-hv"),
        ("children & families social work", ["ak:ServiceCategory"], "sc-kids-sw"),
        ("ECA 2014 s.8", ["eli:LegalResource"], "act-a-s8"),
        ("ECA 2014 section 8", None, "act-a-s8"),
        ("Example Children (Scotland) Act 2014 s 8", None, "act-a-s8"),
        ("the children act part 4", None, "act-a-part-4"),
        ("kb:area-b", None, "area-b"),
        ("https://w3id.org/alignkb/id/area-b", None, "area-b"),
        ("IJB strategic plan", None, "req-sp"),
    ],
)
def test_resolve_names_as_people_type_them(store: OxigraphStore, typed: str, types: list[str] | None, iri: str) -> None:
    assert resolve(store, typed, types) == KB + iri


def test_unknown_name_lists_near_matches(store: OxigraphStore) -> None:
    with pytest.raises(ParameterError) as err:
        resolve(store, "Alphashyre", ["ak:Area"], param="area")
    assert err.value.param == "area" and err.value.value == "Alphashyre"
    assert any("Alphashire" in s for s in err.value.suggestions)
    assert "did you mean" in str(err.value)


def test_wrong_type_is_unknown(store: OxigraphStore) -> None:
    with pytest.raises(ParameterError):
        resolve(store, "health visiting", ["ak:Area"])


def test_unknown_iri_is_an_error(store: OxigraphStore) -> None:
    with pytest.raises(ParameterError) as err:
        resolve(store, "kb:area-z", ["ak:Area"])
    assert "area-z" in str(err.value)


def test_ambiguous_name_is_an_error_listing_candidates() -> None:
    store = OxigraphStore()
    store.store.load(
        b"""@prefix kb: <https://w3id.org/alignkb/id/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix ak: <https://w3id.org/alignkb/ontology#> .
        kb:x1 a ak:Service ; rdfs:label "Youth work" . kb:x2 a ak:Service ; rdfs:label "youth work" .""",
        format=ox.RdfFormat.TURTLE,
    )
    with pytest.raises(ParameterError) as err:
        resolve(store, "Youth Work", ["ak:Service"], param="service")
    assert "ambiguous" in str(err.value) and len(err.value.suggestions) == 2


def test_search_ranks_exact_matches_first_and_filters_types(store: OxigraphStore) -> None:
    hits = search(store, "children", limit=10)
    assert hits[0].score == 1.0 and hits[0].iri == KB + "pop-children"
    areas = search(store, "shire", ["ak:Area"])
    assert {h.iri for h in areas} == {KB + "area-a", KB + "area-b"}
    defs = search(store, "Alphashire council")
    assert defs[0].label == "Alphashire Council"
