"""Front-end packages (the design system, YASGUI, cytoscape), served under ``/vendor/<name>/``.

No vendor file is kept in the repository: ``npm ci`` installs them from package-lock.json into ``node_modules``,
and building the wheel copies the folders named in :data:`PACKAGES` (without source maps and type declarations)
into the package, at ``webapp/_vendor/<name>/`` (setup.py). A file is looked for, in order, in the folder the
``NODE_MODULES`` setting names (``ALIGNKB_WEB_NODE_MODULES``), in that packaged copy, and in the ``node_modules``
of the checkout the web app runs from.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory
from werkzeug.security import safe_join

bp = Blueprint("assets", __name__)

# name under /vendor/ → the built folder inside node_modules (setup.py reads this literal to package them)
PACKAGES = {
    "sgds": "@scottish-government/design-system/dist",
    "yasgui": "@zazuko/yasgui/build",
    "cytoscape": "cytoscape/dist",
}
PACKAGED = "_vendor"  # webapp/_vendor/<name>/ inside an installed wheel


def node_modules() -> Path:
    """The checkout's ``node_modules`` (or the one the ``NODE_MODULES`` setting names)."""
    configured = current_app.config.get("NODE_MODULES")
    if configured:
        return Path(configured)
    checkout = Path(str(resources.files("webapp"))).parent
    return checkout / "node_modules"


def folders(package: str) -> list[Path]:
    """Where the files of ``package`` may be, in the order they are looked for."""
    packaged = Path(str(resources.files("webapp"))) / PACKAGED / package
    in_node_modules = node_modules() / PACKAGES[package]
    if current_app.config.get("NODE_MODULES"):
        return [in_node_modules, packaged]
    return [packaged, in_node_modules]


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str) -> Response:
    if package not in PACKAGES:
        abort(404)
    for folder in folders(package):
        path = safe_join(str(folder), filename)
        if path is not None and Path(path).is_file():
            response = send_from_directory(folder, filename, max_age=86400)
            if filename.endswith(".mjs"):
                response.mimetype = "text/javascript"
            return response
    abort(404)
