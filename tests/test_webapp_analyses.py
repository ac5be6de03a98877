"""Analysis pages: form, as-at date, results with reasons and sources, permalink, CSV/JSON, bad input."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from kb.analyses import analyses

OBLIGATIONS = "/analyses/obligations?area=Inverclyde&service=health+visiting"


def test_the_index_lists_every_named_analysis(client: FlaskClient) -> None:
    listed = {a["name"] for a in client.get("/analyses.json").get_json()["analyses"]}
    assert listed == set(analyses())


NEEDS_ONE_OF = {"delegation"}  # no required parameter, but it needs --area or --service


@pytest.mark.parametrize("name", sorted(analyses()))
def test_every_analysis_has_a_page_with_a_form_and_its_rule(client: FlaskClient, name: str) -> None:
    response = client.get(f"/analyses/{name}")
    html = response.get_data(as_text=True)
    assert 'id="analysis-form"' in html and 'name="as_at"' in html
    spec = analyses()[name]
    for param in spec.params:
        assert f'name="{param.name}"' in html
    assert 'for="param-as_at"' in html
    assert escape(spec.rule) in html


@pytest.mark.parametrize("name", sorted(analyses()))
def test_before_anything_is_typed_a_page_runs_or_shows_the_form_without_an_error(
    client: FlaskClient, name: str
) -> None:
    """An analysis that needs parameters shows its form (200, no error, no results) and its JSON twin says what
    is missing (400); one that needs none runs at once (200 with results) in both."""
    waits = name in NEEDS_ONE_OF or any(not p.optional for p in analyses()[name].params)
    response = client.get(f"/analyses/{name}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ds_error-summary" not in html and "ds_question--error" not in html
    assert ('id="results"' in html) is not waits
    data = client.get(f"/analyses/{name}.json")
    assert data.status_code == (400 if waits else 200)
    assert ("rows" in data.get_json()) is not waits


def test_obligations_for_health_visiting_in_inverclyde(client: FlaskClient) -> None:
    data = client.get(OBLIGATIONS.replace("obligations?", "obligations.json?")).get_json()
    assert data["analysis"] == "obligations" and data["rule"]
    assert data["params"]["area"] == "https://w3id.org/alignkb/id/inverclyde"
    requirements = {r["requirement"] for r in data["rows"]}
    assert "https://w3id.org/alignkb/id/req-childrens-services-plan" in requirements
    html = client.get(OBLIGATIONS).get_data(as_text=True)
    assert 'href="/id/req-childrens-services-plan"' in html
    assert 'id="permalink"' in html and 'href="/analyses/obligations.csv?' in html


def test_results_carry_reasons_and_sources_on_the_page(client: FlaskClient) -> None:
    data = client.get(OBLIGATIONS + "&format=json").get_json()
    explained = [r for r in data["rows"] if r.get("explanation")]
    assert explained, "the fixture must give at least one row with reasons"
    assert any(r.get("sources") for r in explained)
    html = client.get(OBLIGATIONS).get_data(as_text=True)
    for row in explained:
        for reason in row["explanation"]:
            assert f"<li>{escape(reason)}</li>" in html
        for source in row.get("sources", []):
            if source.get("locator"):
                assert str(escape(source["locator"])) in html


def test_csv_download_has_the_columns_and_rows(client: FlaskClient) -> None:
    response = client.get(OBLIGATIONS.replace("obligations?", "obligations.csv?"))
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == list(analyses()["obligations"].columns)
    assert any(r["requirement_label"] == "Children's services plan" for r in rows)


def test_as_at_date_is_applied_and_reported(client: FlaskClient) -> None:
    data = client.get(OBLIGATIONS + "&as_at=2024-04-01&format=json").get_json()
    assert data["as_at"] == "2024-04-01"
    html = client.get(OBLIGATIONS + "&as_at=2024-04-01").get_data(as_text=True)
    assert 'value="2024-04-01"' in html and "as at 2024-04-01" in html


def test_a_bad_date_shows_the_form_again_with_the_error(client: FlaskClient) -> None:
    response = client.get(OBLIGATIONS + "&as_at=someday")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "ds_question--error" in html and "someday" in html


def test_an_unknown_area_shows_the_form_with_the_error_and_near_matches(client: FlaskClient) -> None:
    response = client.get("/analyses/obligations?area=Inverclide&service=health+visiting")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="analysis-form"' in html and "ds_error-summary" in html
    assert 'value="Inverclide"' in html
    data = client.get("/analyses/obligations.json?area=Inverclide&service=health+visiting").get_json()
    assert data["error"]["param"] == "area"
    assert "Inverclyde" in [s["label"] for s in data["error"]["suggestions"]]
    assert "area=Inverclyde" in data["error"]["suggestions"][0]["href"]


def test_a_missing_required_parameter_shows_the_form_only(client: FlaskClient) -> None:
    response = client.get("/analyses/obligations?area=Inverclyde")
    assert response.status_code == 200
    assert 'id="results"' not in response.get_data(as_text=True)
    assert client.get("/analyses/obligations.json?area=Inverclyde").status_code == 400


def test_an_unknown_analysis_is_404_with_near_matches(client: FlaskClient) -> None:
    response = client.get("/analyses/obligatons")
    assert response.status_code == 404
    assert 'href="/analyses/obligations"' in response.get_data(as_text=True)
    data = client.get("/analyses/obligatons.json").get_json()
    assert data["suggestions"][0]["label"] == "obligations"


def test_choice_parameters_are_select_boxes(client: FlaskClient) -> None:
    html = client.get("/analyses/gaps").get_data(as_text=True)
    assert '<select class="ds_select" id="param-kind" name="kind"' in html


def test_analyses_without_required_parameters_run_at_once(client: FlaskClient) -> None:
    response = client.get("/analyses/conflicts.json")
    assert response.status_code == 200 and "rows" in response.get_json()


def test_dates_use_the_design_systems_date_picker_and_read_day_first(client: FlaskClient) -> None:
    """Issue 17: the Design System's date input; people in Scotland write 01/04/2024, and that is what it writes."""
    html = client.get("/analyses/landscape-at").get_data(as_text=True)
    assert 'data-module="ds-datepicker"' in html and 'type="date"' not in html
    day_first = client.get(OBLIGATIONS + "&as_at=01/04/2024&format=json").get_json()
    assert day_first["as_at"] == "2024-04-01"
    bad = client.get(OBLIGATIONS + "&as_at=31/02/2024")
    assert bad.status_code == 400 and "is not a date" in bad.get_data(as_text=True)
