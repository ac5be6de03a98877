"""Pictures: the alignment heatmap, the network view and the reporting-burden chart — all readable without JS."""

from __future__ import annotations

from xml.etree import ElementTree

from flask.testing import FlaskClient


def test_the_national_heatmap_marks_what_each_requirement_addresses(client: FlaskClient) -> None:
    data = client.get("/pictures/alignment.json").get_json()
    outcomes = [o["label"] for o in data["outcomes"]]
    assert set(outcomes) == {"Safe", "Healthy"}
    row = next(r for r in data["rows"] if r["label"] == "Children's services plan")
    levels = {o: c["level"] for o, c in zip(outcomes, row["cells"], strict=True)}
    assert levels == {"Healthy": "both", "Safe": "addresses"}
    strategic = next(r for r in data["rows"] if r["label"] == "Strategic plan")
    assert [c["level"] for c in strategic["cells"]].count("none") == 1


def test_the_heatmap_is_an_html_table_with_coloured_cells_and_letters(client: FlaskClient) -> None:
    html = client.get("/pictures/alignment").get_data(as_text=True)
    assert '<table class="ds_table ak-heatmap"' in html
    assert 'class="ak-cell ak-cell--both"' in html and ">A I<" in html
    assert 'href="/id/shanarri-safe"' in html


def test_the_heatmap_for_one_area_keeps_requirements_with_a_plan_or_a_preparer_there(client: FlaskClient) -> None:
    data = client.get("/pictures/alignment.json?area=Inverclyde").get_json()
    assert data["area"]["iri"] == "https://w3id.org/alignkb/id/inverclyde"
    assert {"Children's services plan", "Children's services plan annual report"} <= {r["label"] for r in data["rows"]}


def test_the_heatmap_can_be_limited_to_one_outcome_set(client: FlaskClient) -> None:
    data = client.get("/pictures/alignment.json?set=shanarri").get_json()
    assert data["outcomes"] and all(o["set"].endswith("/shanarri") for o in data["outcomes"])


def test_an_unknown_area_gives_the_form_with_near_matches(client: FlaskClient) -> None:
    response = client.get("/pictures/alignment?area=Inverclide")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "No council area called" in html and 'href="/pictures/alignment?area=inverclyde"' in html
    assert client.get("/pictures/burden.json?area=Invercive").get_json()["area"]["label"] == "Inverclyde"


def test_the_burden_chart_is_server_side_svg_with_a_table_behind_it(client: FlaskClient) -> None:
    html = client.get("/pictures/burden").get_data(as_text=True)
    start = html.index("<svg xmlns")
    svg = html[start : html.index("</svg>", start) + 6]
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img"
    assert len(root.findall(".//{http://www.w3.org/2000/svg}rect")) > 4
    data = client.get("/pictures/burden.json").get_json()
    bars = {b["label"]: b for b in data["bars"]}
    local = next(b for label, b in bars.items() if "local" in label.lower())
    assert local["plans"] == 1 and local["reports"] == 1 and local["indicators"] == 2
    assert 'id="burden-table"' in html


def test_the_network_view_has_nodes_edges_and_a_no_js_list(client: FlaskClient) -> None:
    data = client.get("/id/req-childrens-services-plan/network.json").get_json()
    ids = {n["id"] for n in data["nodes"]}
    assert "https://w3id.org/alignkb/id/cyp-act-2014-s8" in ids
    assert "https://w3id.org/alignkb/id/plan-inverclyde-csp-2023" in ids
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    html = client.get("/id/req-childrens-services-plan/network").get_data(as_text=True)
    assert 'id="network-links"' in html and "/vendor/cytoscape/cytoscape.min.js" in html
    assert 'href="/id/cyp-act-2014-s8"' in html


def test_the_network_of_an_unknown_entity_is_404(client: FlaskClient) -> None:
    assert client.get("/id/nothing-here/network").status_code == 404


def test_heatmap_column_heads_drop_the_repeated_set_name_but_keep_the_number() -> None:
    from webapp.pictures import short_label

    assert short_label("Health and wellbeing outcome 1: Look after own health") == "1. Look after own health"
    assert short_label("Safe") == "Safe"
