"""The web app factory and its health page."""

from __future__ import annotations

from kb.model.paths import Home
from webapp import create_app


def test_health_reports_the_built_knowledge_base(built_home: Home) -> None:
    app = create_app({"ALIGNKB_HOME": str(built_home.root), "ALIGNKB_DIST": str(built_home.dist), "TESTING": True})
    response = app.test_client().get("/health")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ok" and data["quads"] > 1000


def test_health_says_unavailable_without_a_build(make_home) -> None:
    home = make_home({})
    app = create_app({"ALIGNKB_HOME": str(home.root), "ALIGNKB_DIST": str(home.dist), "TESTING": True})
    response = app.test_client().get("/health")
    assert response.status_code == 503
