"""The alignkb browser: a Flask application factory.

Blueprints: ``browse`` (home, search, types, entity/source/evidence pages), ``analyses``, ``sparql``,
``pictures`` (alignment matrix, network, burden chart), ``calendar`` (reporting calendar and its
.ics), ``docs`` (ontology documentation, about), ``assets``
(front-end packages from node_modules) and ``health``. Production: ``gunicorn -w 4 'webapp:create_app()'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .kbase import init_app


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        ALIGNKB_HOME=None,
        ALIGNKB_DIST=None,
        ALIGNKB_ENDPOINT=None,
        NODE_MODULES=None,
        SPARQL_TIMEOUT=10.0,
        SPARQL_ROW_CAP=10_000,
    )
    app.config.from_prefixed_env("ALIGNKB_WEB")
    if config:
        app.config.from_mapping(config)
    init_app(app)
    from . import analyses, assets, browse, calendar, docs, errors, health, pictures, sparql
    from .negotiate import SuffixMiddleware

    for module in (health, browse, analyses, calendar, sparql, pictures, docs, assets):
        app.register_blueprint(module.bp)
    errors.init_app(app)
    app.jinja_env.globals["nav"] = [
        ("Home", "/"),
        ("Browse", "/types"),
        ("Analyses", "/analyses"),
        ("Pictures", "/pictures"),
        ("Calendar", "/calendar"),
        ("SPARQL", "/sparql"),
        ("Ontology", "/ontology"),
        ("Sources", "/sources"),
        ("What it holds", "/coverage"),
        ("About", "/about"),
    ]
    app.wsgi_app = SuffixMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app
