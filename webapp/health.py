"""Health check: is the knowledge base built and loaded, which build is served, and how big is it?"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from . import caching
from .kbase import served

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> tuple[Response, int] | Response:
    """What this process serves: the build's id (its folder's name: start time and the start of kb.nq's SHA-256),
    when it was built, its version, the SHA-256 of its kb.nq and the quads loaded; all from the build the request
    was served from, so the answer never mixes two builds. Never cached."""
    try:
        build = served()
        quads = len(build.store)
    except FileNotFoundError as err:
        response = jsonify({"status": "unavailable", "reason": str(err)})
        response.headers["Cache-Control"] = "no-store"
        return response, 503
    report = build.report
    response = jsonify(
        {
            "status": "ok",
            "quads": quads,
            "built": report.get("built"),
            "build": build.id,
            "version": report.get("version"),
            "kb_sha256": report.get("kb_sha256"),
            "page_cache": caching.stats(),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
