"""Front-end packages served from ``node_modules`` (installed with ``npm ci`` from package-lock.json).

Only the built folders of the packages the pages use are exposed, under short names. No vendor file is
copied into the repository. The folder is found from the ``NODE_MODULES`` setting, else beside the checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

bp = Blueprint("assets", __name__)
PACKAGES = {
    "sgds": "@scottish-government/design-system/dist",
    "yasgui": "@zazuko/yasgui/build",
    "cytoscape": "cytoscape/dist",
}


def node_modules() -> Path:
    configured = current_app.config.get("NODE_MODULES")
    if configured:
        return Path(configured)
    checkout = Path(str(resources.files("webapp"))).parent
    return checkout / "node_modules"


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str) -> Response:
    if package not in PACKAGES:
        abort(404)
    folder = node_modules() / PACKAGES[package]
    if not folder.is_dir():
        abort(404)
    response = send_from_directory(folder, filename, max_age=86400)
    if filename.endswith(".mjs"):
        response.mimetype = "text/javascript"
    return response
