"""The named analyses (``kb.analyses``) as the web app sees them: a catalogue that tolerates their absence."""

from __future__ import annotations

from typing import Any


def module() -> Any:
    """``kb.analyses``, or None while it is not installed."""
    try:
        from kb import analyses
    except ImportError:
        return None
    return analyses if hasattr(analyses, "analyses") and hasattr(analyses, "run") else None


def all_analyses() -> dict[str, Any]:
    mod = module()
    return dict(mod.analyses()) if mod is not None else {}


def summaries() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "title": a.title,
            "question": a.question,
            "href": f"/analyses/{name}",
            "params": [{"name": p.name, "optional": p.optional, "kind": p.kind} for p in a.params],
        }
        for name, a in all_analyses().items()
    ]
