"""Pictures: the alignment heatmap, the network view and the reporting-burden chart — all readable without JS.

The heatmap and the chart are drawn from the named analyses ``alignment`` and ``burden``: the tests check that they
show the same numbers as :func:`kb.analyses.run` and honour ``?as-at=`` and ``?area=`` as the analyses do."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.analyses import AnalysisResult, run
from webapp.kbase import get_store

KB = "https://w3id.org/alignkb/id/"


def _run(app: Flask, name: str, params: dict[str, str]) -> AnalysisResult:
    with app.app_context():
        return run(get_store(), name, params)


def _levels(data: dict[str, Any], requirement: str) -> dict[str, str]:
    outcomes = [o["label"] for o in data["outcomes"]]
    row = next(r for r in data["rows"] if r["label"] == requirement)
    return {o: c["level"] for o, c in zip(outcomes, row["cells"], strict=True)}


def test_the_national_heatmap_marks_how_each_requirement_must_address_each_outcome(client: FlaskClient) -> None:
    data = client.get("/pictures/alignment.json").get_json()
    assert {o["label"] for o in data["outcomes"]} == {"Safe", "Healthy", "Included"}
    assert _levels(data, "Children's services plan") == {"Healthy": "outcome", "Safe": "outcome", "Included": "none"}
    assert set(_levels(data, "Children's services plan annual report").values()) == {"set"}
    assert _levels(data, "Strategic plan") == {"Healthy": "outcome", "Safe": "none", "Included": "none"}


def test_the_heatmap_has_the_cells_of_the_alignment_analysis(app: Flask, client: FlaskClient) -> None:
    for query, params in (("", {}), ("?area=Inverclyde", {"area": "Inverclyde"}), ("?as-at=2015-06-01", {})):
        data = client.get("/pictures/alignment.json" + query).get_json()
        shown = {(r["iri"], c["outcome"], c["level"]) for r in data["rows"] for c in r["cells"] if c["level"] != "none"}
        if "as-at" in query:
            params = {"as-at": "2015-06-01"}
        result = _run(app, "alignment", params)
        assert shown == {(r["requirement"], r["outcome"], r["via"]) for r in result.rows}, query
        assert data["as_at"] == result.as_at.isoformat() and data["notes"] == result.notes


def test_the_heatmap_honours_as_at_a_requirement_not_applying_then_is_absent(client: FlaskClient) -> None:
    today = {r["label"] for r in client.get("/pictures/alignment.json").get_json()["rows"]}
    assert {"Children's services plan", "Strategic plan"} <= today
    data = client.get("/pictures/alignment.json?as-at=2015-06-01").get_json()
    assert data["as_at"] == "2015-06-01" and data["values"]["as-at"] == "2015-06-01"
    assert {r["label"] for r in data["rows"]} == {"Strategic plan"}  # CYP Act s.8 is in force from 2016-04-01
    assert "as at 2015-06-01" in client.get("/pictures/alignment?as_at=2015-06-01").get_data(as_text=True)
    assert {r["label"] for r in client.get("/pictures/alignment.json?as-at=2014-01-01").get_json()["rows"]} == set()


def test_the_heatmap_is_an_html_table_with_coloured_cells_and_letters(client: FlaskClient) -> None:
    html = client.get("/pictures/alignment").get_data(as_text=True)
    assert '<table class="ds_table ak-heatmap"' in html
    assert 'class="ak-cell ak-cell--outcome"' in html and 'class="ak-cell ak-cell--set"' in html
    assert 'href="/id/shanarri-safe"' in html
    assert '<a href="/analyses/alignment" id="analysis-link">' in html


def test_the_heatmap_for_one_area_keeps_requirements_falling_on_bodies_serving_it(client: FlaskClient) -> None:
    data = client.get("/pictures/alignment.json?area=Inverclyde").get_json()
    assert data["area"] == {"iri": KB + "inverclyde", "label": "Inverclyde", "query": "Inverclyde"}
    assert {r["label"] for r in data["rows"]} == {
        "Children's services plan",
        "Children's services plan annual report",
        "Strategic plan",  # prepared by integration authorities; Inverclyde IJB is one
    }
    assert data["analysis"]["href"] == "/analyses/alignment?area=Inverclyde"


def test_the_heatmap_can_be_limited_to_one_outcome_set(client: FlaskClient) -> None:
    data = client.get("/pictures/alignment.json?set=shanarri").get_json()
    assert data["outcomes"] and all(o["set"].endswith("/shanarri") for o in data["outcomes"])
    assert client.get("/pictures/alignment.json?set=no-such-set").get_json()["rows"] == []


def test_an_unknown_area_gives_the_form_with_the_engines_error_and_near_matches(client: FlaskClient) -> None:
    response = client.get("/pictures/alignment?area=Inverclide")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "no area is called &#39;Inverclide&#39;" in html
    assert 'href="/pictures/alignment?area=Inverclyde"' in html
    data = client.get("/pictures/burden.json?area=Inverclide").get_json()
    assert data["error"]["param"] == "area" and data["bars"] == []
    analysis = client.get("/analyses/burden.json?area=Inverclide").get_json()
    assert data["error"]["message"] == analysis["error"]["message"]
    assert client.get("/pictures/burden.json?area=Invercive").get_json()["area"]["label"] == "Inverclyde"


def test_a_bad_date_gives_the_form_with_the_error(client: FlaskClient) -> None:
    response = client.get("/pictures/burden?as-at=someday")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="picture-as-at-error"' in html and "someday" in html
    assert client.get("/pictures/alignment.json?as-at=someday").get_json()["error"]["param"] == "as-at"


def test_the_burden_chart_is_server_side_svg_with_a_table_behind_it(client: FlaskClient) -> None:
    html = client.get("/pictures/burden").get_data(as_text=True)
    start = html.index("<svg xmlns")
    svg = html[start : html.index("</svg>", start) + 6]
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) > 4
    data = client.get("/pictures/burden.json").get_json()
    bars = {b["label"]: b for b in data["bars"]}
    local = bars["local authority"]
    assert (local["plans"], local["reports"], local["indicators"]) == (1, 1, 1)
    assert 'id="burden-table"' in html


def test_the_burden_chart_shows_the_numbers_of_the_burden_analysis(app: Flask, client: FlaskClient) -> None:
    for query, params in (
        ("", {}),
        ("?area=Inverclyde", {"area": "Inverclyde"}),
        ("?as-at=2015-06-01", {"as-at": "2015-06-01"}),
    ):
        data = client.get("/pictures/burden.json" + query).get_json()
        bars = data["bars"]
        result = _run(app, "burden", params)
        assert data["notes"] == result.notes
        expected = [
            (r["entity"], r["plans"], r["reports"], r["indicators"], r["per_year"])
            for r in result.rows
            if r["level"] == "body type"
        ]
        assert expected, query
        assert [(b["iri"], b["plans"], b["reports"], b["indicators"], b["per_year"]) for b in bars] == expected


def test_the_burden_chart_honours_as_at(client: FlaskClient) -> None:
    before = {b["label"] for b in client.get("/pictures/burden.json?as-at=2015-06-01").get_json()["bars"]}
    assert before == {"integration authority", "integration joint board"}  # only the strategic plan applies then
    assert "local authority" in {b["label"] for b in client.get("/pictures/burden.json").get_json()["bars"]}


def test_the_network_view_has_nodes_edges_and_a_no_js_list(client: FlaskClient) -> None:
    data = client.get("/id/req-childrens-services-plan/network.json").get_json()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert KB + "cyp-act-2014-s8" in nodes and KB + "plan-inverclyde-csp-2023" in nodes
    assert all(e["source"] in nodes and e["target"] in nodes for e in data["edges"])
    assert nodes[KB + "cyp-act-2014-s8"]["type"] == "section"
    assert nodes[KB + "req-childrens-services-plan"]["type"] == "plan requirement"
    html = client.get("/id/req-childrens-services-plan/network").get_data(as_text=True)
    assert 'id="network-links"' in html and 'id="network-figure"' in html  # a server-side SVG, then the list
    assert 'href="/id/cyp-act-2014-s8"' in html


def test_the_network_of_an_unknown_entity_is_404(client: FlaskClient) -> None:
    assert client.get("/id/nothing-here/network").status_code == 404


def test_heatmap_column_heads_drop_the_repeated_set_name_but_keep_the_number() -> None:
    from webapp.pictures import short_label

    assert short_label("Health and wellbeing outcome 1: Look after own health") == "1. Look after own health"
    assert short_label("Safe") == "Safe"


def test_the_heatmap_groups_its_columns_by_outcome_set_and_lists_every_cell_with_its_reasons(
    client: FlaskClient,
) -> None:
    data = client.get("/pictures/alignment.json").get_json()
    assert [(g["label"], g["span"]) for g in data["groups"]] == [("SHANARRI wellbeing indicators", 3)]
    assert sum(g["span"] for g in data["groups"]) == len(data["outcomes"])
    for row in data["rows"]:
        marked = [c for c in row["cells"] if c["level"] != "none"]
        assert [i["anchor"] for i in row["items"]] == [c["anchor"] for c in marked]  # the list has every cell
        assert all(i["alignment"] == "direct" and i["explanation"] for i in row["items"])
        assert row["direct"] + row["derived"] == row["count"]
    html = client.get("/pictures/alignment").get_data(as_text=True)
    assert '<th scope="colgroup" colspan="3"' in html and 'id="as-a-list"' in html
    assert 'href="#cell-1-1"' in html and 'id="cell-1-1"' in html  # a cell leads to its reasons


def test_a_link_through_the_frameworks_is_shaded_apart_from_direct_ones() -> None:
    from webapp.pictures import VIA_TITLES

    assert set(VIA_TITLES) == {"outcome", "set", "framework", "correspondence"}


def test_the_burden_picture_for_an_area_charts_its_own_bodies_with_the_figures_as_tables(
    app: Flask, client: FlaskClient
) -> None:
    data = client.get("/pictures/burden.json?area=Inverclyde").get_json()
    result = _run(app, "burden", {"area": "Inverclyde"})
    bodies = [(r["entity"], r["plans"], r["reports"]) for r in result.rows if r["level"] == "body"]
    assert bodies and [(b["iri"], b["plans"], b["reports"]) for b in data["bodies"]] == bodies
    assert data["area_total"]["label"] == "Inverclyde"
    html = client.get("/pictures/burden?area=Inverclyde").get_data(as_text=True)
    assert 'id="chart-bodies"' in html and 'id="burden-table-types"' in html and 'id="burden-table"' in html
    national = client.get("/pictures/burden.json").get_json()
    assert national["bodies"] == [] and [a["label"] for a in national["areas"]] == ["Inverclyde"]
    assert 'id="chart-areas"' in client.get("/pictures/burden").get_data(as_text=True)


def test_the_network_groups_links_by_relation_and_caps_each_group(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webapp.pictures

    data = client.get("/id/req-childrens-services-plan/network.json").get_json()
    groups = {g["key"]: g for g in data["groups"]}
    assert groups["out-covers-service"]["count"] == 2 and groups["in-realises"]["direction"] == "in"
    assert sum(g["count"] for g in data["groups"]) == len(data["edges"])
    monkeypatch.setattr(webapp.pictures, "NETWORK_CAP", 1)
    capped = {g["key"]: g for g in client.get("/id/req-childrens-services-plan/network.json").get_json()["groups"]}
    service = capped["out-covers-service"]
    assert len(service["members"]) == 1 and service["hidden"] == 1
    assert service["more_href"] == "/id/req-childrens-services-plan/network?show=out-covers-service#out-covers-service"
    html = client.get("/id/req-childrens-services-plan/network").get_data(as_text=True)
    assert "show all 2" in html.lower() and 'id="out-covers-service"' in html
    shown = client.get(service["more_href"].split("#")[0] + "&format=json").get_json()
    assert len({g["key"]: g for g in shown["groups"]}["out-covers-service"]["members"]) == 2
    every = client.get("/id/req-childrens-services-plan/network.json?show=all").get_json()
    assert all(g["hidden"] == 0 for g in every["groups"])
