"""Issue 17, items 1 and 6: a home page that starts from what people come to do, a page for each council area, and
search that leads to answers — on the small web fixture and on the real knowledge base."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from kb.model.paths import Home
from tests.webapp_support import make_app

# A CURIE as the project writes them: a known prefix, a colon and a name (https:// is not one).
CURIE = re.compile(r"\b(?:ak|kb|src|ev|skos|rdf|rdfs|owl|xsd|prov|dcterms|eli|org|sh):[A-Za-z]")


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def internal_links(page: str) -> list[str]:
    """The app's own links inside <main> (fragments on the same page left out)."""
    hrefs = (html.unescape(h) for h in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', main_of(page)))
    return [h.split("#", 1)[0] for h in hrefs if h.startswith("/") and h.split("#", 1)[0]]


def text_of(page: str) -> str:
    stripped = re.sub(r"<[^>]+>", " ", main_of(page))
    return re.sub(r"\s+", " ", html.unescape(stripped))


# --- the home page (fixture knowledge base) ---


def test_home_starts_from_what_people_come_to_do(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    for heading in (
        "What must my service feed?",
        "Where do plans and reports overlap or repeat?",
        "What changed, or would change?",
        "When is it due?",
    ):
        assert f">{heading}</h2>" in page, heading
    assert main_of(page).index("What must my service feed?") < main_of(page).index("What is in the knowledge base")
    form = re.search(r'<form[^>]*id="feed-form".*?</form>', page, re.S)
    assert form is not None
    assert 'action="/analyses/obligations"' in form.group(0)
    assert 'name="area"' in form.group(0) and 'list="home-area-options"' in form.group(0)
    assert re.search(r'name="service"[^>]*data-suggest="1"', form.group(0))
    links = internal_links(page)
    for href in (
        "/analyses/overlaps",
        "/analyses/duplicate-reporting",
        "/analyses/changes",
        "/analyses/landscape-at",
        "/analyses/impact",
        "/analyses/merge",
        "/calendar",
        "/areas/inverclyde",
        "/types",
    ):
        assert href in links, href
    assert 'id="class-counts"' not in page  # the counts by type are at /types
    assert not CURIE.findall(page), CURIE.findall(page)


def test_the_home_forms_lead_to_answers(client: FlaskClient) -> None:
    feed = client.get("/analyses/obligations?area=Inverclyde&service=health+visiting")
    assert feed.status_code == 200 and 'id="results-table"' in feed.get_data(as_text=True)
    due = client.get("/calendar?area=Inverclyde")
    assert due.status_code == 200
    for href in internal_links(client.get("/").get_data(as_text=True)):
        assert client.get(href).status_code == 200, href


# --- the area pages (fixture knowledge base) ---


def test_the_areas_index_links_to_each_area(client: FlaskClient) -> None:
    data = client.get("/areas.json").get_json()
    assert [(a["label"], a["href"]) for a in data["areas"]] == [("Inverclyde", "/areas/inverclyde")]
    page = client.get("/areas").get_data(as_text=True)
    assert 'href="/areas/inverclyde"' in page and "Inverclyde Integration Joint Board" in page
    assert '<a class="ds_site-navigation__link' in page and 'href="/areas"' in page  # "Areas" in the main menu


def test_an_area_page_says_who_holds_what_who_serves_it_and_its_plans(client: FlaskClient) -> None:
    response = client.get("/areas/inverclyde")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    data = client.get("/areas/inverclyde.json").get_json()
    row = next(d for d in data["delegation"] if d["category"].lower() == "children's health services")
    assert row["status"] == "delegated" and row["as_at_words"] == "7 March 2022"
    assert row["named"] == [{"label": "Inverclyde Integration Joint Board", "href": "/id/inverclyde-ijb"}]
    assert row["sources"] and row["sources"][0]["href"] == "/source/web-fixture-local"
    query = parse_qs(urlsplit(row["obligations"]).query)
    assert query == {"area": ["Inverclyde"], "service": [row["category"]]}
    kinds = {b["label"]: b["kind"] for b in data["bodies"]}
    assert kinds["Inverclyde Council"] == "local authority"
    assert kinds["Inverclyde Integration Joint Board"] == "integration joint board"
    plan = next(p for p in data["plans"] if p["label"] == "Inverclyde children's services plan 2023-2026")
    assert plan["period"] == "1 April 2023 to 31 March 2026"
    assert [r["href"] for r in plan["realises"]] == ["/id/req-childrens-services-plan"]
    assert "Delegated to" in text_of(page) and "Inverclyde Council" in text_of(page)
    assert not CURIE.findall(text_of(page))
    for href in set(internal_links(page)):
        assert client.get(href).status_code == 200, href


def test_an_area_page_as_at_a_date_links_on_with_that_date(client: FlaskClient) -> None:
    data = client.get("/areas/inverclyde.json?as_at=2024-01-01").get_json()
    assert data["as_at"] == "2024-01-01" and data["dated"] is True
    assert all("2024-01-01" in link["href"] for link in data["links"] if link["href"].startswith(("/analyses", "/cal")))
    plan = next(p for p in data["plans"] if p["label"].startswith("Inverclyde children's services plan"))
    assert plan["state"] == "current on 1 January 2024"
    before = client.get("/areas/inverclyde.json?as_at=2023-01-01").get_json()
    assert before["plans"][0]["state"] == "not yet begun on 1 January 2023"


def test_a_date_that_is_not_a_date_is_an_error_in_words(client: FlaskClient) -> None:
    response = client.get("/areas/inverclyde?as_at=soon")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="ds_error-summary"' in page and "'soon' is not a date this page can read" in text_of(page)
    assert "as-at:" not in page and "as_at:" not in page


def test_an_unknown_area_is_a_404_suggesting_the_nearest(client: FlaskClient) -> None:
    response = client.get("/areas/inverclide")
    assert response.status_code == 404
    assert 'href="/areas/inverclyde"' in response.get_data(as_text=True)
    moved = client.get("/areas/Inverclyde")
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/areas/inverclyde")


# --- search (fixture knowledge base) ---


def test_search_groups_results_in_words_with_facets(client: FlaskClient) -> None:
    data = client.get("/search.json?q=Inverclyde").get_json()
    assert data["groups"][0]["key"] == "areas" and data["groups"][0]["label"] == "Areas"
    labels = [g["label"] for g in data["groups"]]
    assert "Bodies" in labels and "Plans and reports" in labels
    assert all(r["group"] != "other" or "Assertion" not in str(r["types"]) for r in data["results"])
    page = client.get("/search?q=Inverclyde").get_data(as_text=True)
    assert ">Areas <" in page and ">Bodies <" in page
    assert 'href="/search?q=Inverclyde&amp;group=bodies"' in page
    only = client.get("/search.json?q=Inverclyde&group=bodies").get_json()
    assert [g["key"] for g in only["groups"]] == ["bodies"]
    assert {r["label"] for r in only["groups"][0]["results"]} >= {"Inverclyde Council"}
    assert only["status"].startswith(f"{only['groups'][0]['count']} result")


def test_an_area_result_leads_to_its_page_and_what_it_must_feed(client: FlaskClient) -> None:
    data = client.get("/search.json?q=Inverclyde").get_json()
    area = data["groups"][0]["results"][0]
    assert area["href"] == "/id/inverclyde"
    actions = {a["label"]: a["href"] for a in area["actions"]}
    assert actions["Area page"] == "/areas/inverclyde"
    assert actions["What must its services feed?"] == "/analyses/obligations?area=Inverclyde"
    page = client.get("/search?q=Inverclyde").get_data(as_text=True)
    assert 'href="/areas/inverclyde"' in page
    for href in actions.values():
        assert client.get(href).status_code == 200, href


def test_a_service_result_asks_for_an_area_and_runs_obligations(client: FlaskClient) -> None:
    data = client.get("/search.json?q=health visiting").get_json()
    service = next(g for g in data["groups"] if g["key"] == "services")["results"][0]
    name = service["label"]
    assert name.lower() == "health visiting" and service["service"] == name
    page = client.get("/search?q=health+visiting").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="ak-service-form".*?</form>', page, re.S)
    assert form is not None
    assert 'action="/analyses/obligations"' in form.group(0)
    assert f'name="service" value="{name}"' in form.group(0) and 'name="area"' in form.group(0)
    assert f"What must {name} feed in a council area?" in form.group(0)
    answer = client.get("/analyses/obligations?service=health+visiting&area=Inverclyde")
    assert answer.status_code == 200 and 'id="results-table"' in answer.get_data(as_text=True)


def test_a_typo_offers_did_you_mean(client: FlaskClient) -> None:
    data = client.get("/search.json?q=Inverclide").get_json()
    assert data["exact"] is False
    assert data["did_you_mean"][0] == {"label": "Inverclyde", "href": "/search?q=Inverclyde"}
    page = client.get("/search?q=Inverclide").get_data(as_text=True)
    assert 'id="did-you-mean"' in page and "Did you mean" in page
    assert "Did you mean" not in client.get("/search?q=Inverclyde").get_data(as_text=True)


def test_empty_searches_say_why_in_words(client: FlaskClient) -> None:
    page = text_of(client.get("/search?q=qqqzzzxx").get_data(as_text=True))
    assert "Nothing matches “qqqzzzxx”" in page and "check the spelling" in page
    assert "0 results" not in page
    group = text_of(client.get("/search?q=Inverclyde&group=indicators").get_data(as_text=True))
    assert "Nothing among Indicators matches “Inverclyde”" in group and "0 results" not in group


# --- the real knowledge base: every one of the 32 council areas ---


@pytest.fixture(scope="module")
def real(built_home: Home) -> Iterator[FlaskClient]:
    yield make_app(built_home).test_client()


@pytest.fixture(scope="module")
def real_areas(real: FlaskClient) -> list[dict[str, str]]:
    return list(real.get("/areas.json").get_json()["areas"])


def test_there_are_32_council_areas_each_on_the_home_page(real: FlaskClient, real_areas: list[dict[str, str]]) -> None:
    assert len(real_areas) == 32
    home = real.get("/").get_data(as_text=True)
    assert all(f'href="{a["href"]}"' in home for a in real_areas)
    assert not CURIE.findall(home), CURIE.findall(home)


def test_every_area_page_renders_with_delegation_bodies_and_a_next_due_date(
    real: FlaskClient, real_areas: list[dict[str, str]]
) -> None:
    today = date.today().isoformat()
    followed: dict[str, int] = {}
    for area in real_areas:
        response = real.get(area["href"])
        assert response.status_code == 200, area
        page = response.get_data(as_text=True)
        data = real.get(area["href"] + ".json").get_json()
        name = area["label"]
        assert data["delegation"], name
        assert 'id="delegation-table"' in page and data["delegation_summary"], name
        kinds = {b["kind"] for b in data["bodies"]}
        assert {"local authority", "health board"} <= kinds, (name, kinds)
        assert all(b["label"] in text_of(page) for b in data["bodies"]), name
        dated = [c for c in data["calendar"] if c["known"]]
        assert dated and all(c["date"] >= today for c in dated), name
        assert data["burden"] and data["burden"][0]["level"] == "area", name
        assert not CURIE.findall(text_of(page)), (name, CURIE.findall(text_of(page)))
        assert "0 rows" not in page
        for href in set(internal_links(page)):
            if href not in followed:
                followed[href] = real.get(href).status_code
    broken = {href: status for href, status in followed.items() if status != 200}
    assert not broken, broken
    # the links into each analysis are filled in for the area
    inverclyde = real.get("/areas/inverclyde.json").get_json()
    targets = {urlsplit(link["href"]).path: parse_qs(urlsplit(link["href"]).query) for link in inverclyde["links"]}
    for path in ("/analyses/delegation", "/analyses/burden", "/analyses/duplicate-reporting", "/calendar"):
        assert targets[path]["area"] == ["Inverclyde"], path
    assert targets["/pictures/alignment"]["area"] == ["Inverclyde"]


def test_who_holds_what_in_inverclyde_and_renfrewshire(real: FlaskClient) -> None:
    inverclyde = real.get("/areas/inverclyde.json").get_json()
    row = next(d for d in inverclyde["delegation"] if d["category"] == "children's social work")
    assert row["summary"] == "Delegated to Inverclyde Integration Joint Board" and row["sources"]
    renfrewshire = real.get("/areas/renfrewshire.json").get_json()
    row = next(d for d in renfrewshire["delegation"] if d["category"] == "children's social work")
    assert row["status"] == "not delegated"
    assert "Right for Renfrewshire" in {p["label"] for p in renfrewshire["plans"]}
    highland = real.get("/areas/highland.json").get_json()
    led = [d for d in highland["delegation"] if d["status"] == "led by a lead agency"]
    assert led and all(d["obligations"] is None for d in led)  # adults and children are groups, not services
    assert "A lead agency leads for" in highland["delegation_summary"]


def test_empty_states_say_why_in_words(real: FlaskClient, real_areas: list[dict[str, str]]) -> None:
    without = next(
        a for a in real_areas if not real.get(a["href"] + ".json").get_json()["plans"]
    )  # most areas have no local plan recorded
    page = text_of(real.get(without["href"]).get_data(as_text=True))
    assert f"No local plans are recorded for {without['label']}" in page
    early = text_of(real.get("/areas/renfrewshire?as_at=1990-01-01").get_data(as_text=True))
    assert "No delegation arrangement is recorded for Renfrewshire on or before 1 January 1990" in early
    assert "No plan or report is recorded as falling on the bodies serving Renfrewshire between 1 January 1990" in early
    assert "No plan or report is recorded as falling on the bodies serving Renfrewshire on 1 January 1990" in early
    assert "not yet established on 1 January 1990" in early
    assert "0 rows" not in early and " 0 results" not in early


def test_search_on_the_real_kb_groups_and_narrows(real: FlaskClient) -> None:
    data = real.get("/search.json?q=children").get_json()
    assert data["truncated"] is True and "More than" in data["status"]
    services = real.get("/search.json?q=children&group=services").get_json()
    shown = services["groups"][0]
    assert shown["key"] == "services" and shown["count"] == len(shown["results"]) > 10
    typo = real.get("/search.json?q=helth visting").get_json()
    assert typo["did_you_mean"][0]["label"] == "health visiting"
