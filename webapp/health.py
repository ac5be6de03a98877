"""Health check: is the knowledge base built and loadable, and how big is it?"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify

from .kbase import get_store

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    home = current_app.extensions["alignkb_home"]
    report_path = home.dist / "report.json"
    try:
        store = get_store()
        quads = len(store)
    except FileNotFoundError as err:
        return jsonify({"status": "unavailable", "reason": str(err)}), 503
    built = json.loads(report_path.read_text())["built"] if report_path.is_file() else None
    return jsonify({"status": "ok", "quads": quads, "built": built})
