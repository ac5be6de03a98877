"""Finding entities by what people call them: search results grouped by what they are (areas, services, plans and
reports …) with the next step for each, near-match suggestions, both by ``kb.analyses.labels.search`` — the same
matching as the analyses' parameters and the pictures' ``?area=``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from kb.analyses.labels import Match, index, words_of
from kb.analyses.labels import search as search_names
from kb.model.namespace import KB, PREFIXES, compact

from .kbase import get_store
from .terms import local_href

EXACT = 0.98  # kb.analyses.labels.search scores a name equal to the text 1.0 (0.98 for a provision's cited form)
AK = PREFIXES["ak"]
COUNCIL_AREA = AK + "CouncilArea"
ASSERTION = AK + "Assertion"  # an evidence passage: reached from the entities it supports, not searched for
SEARCH_LIMIT = 200  # matches fetched per search, before grouping
PER_GROUP = 10  # results shown in each group when no group is chosen

# The groups of results, in the order shown: key (in ?group=), the words people see, and the classes whose members
# (and their subclasses' members) fall in it. A result falls in the first group that one of its types belongs to.
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("areas", "Areas", ("Area",)),
    ("services", "Services", ("Service", "ServiceCategory")),
    ("plans-and-reports", "Plans and reports", ("Requirement", "Plan")),
    ("acts-and-provisions", "Acts and provisions", ("LegalInstrument", "Provision")),
    ("bodies", "Bodies", ("Body", "BodyType")),
    ("outcomes", "Outcomes", ("Outcome", "OutcomeSet", "PolicyFramework", "FrameworkComponent")),
    ("indicators", "Indicators", ("Indicator", "IndicatorSet")),
    ("other", "Other", ()),
)
GROUP_WORDS = {key: words for key, words, _classes in GROUPS}
# What a result is, where the class's own label is not what people say.
KIND_WORDS = {
    "PlanRequirement": "statutory plan",
    "ReportRequirement": "statutory report",
    "Requirement": "statutory plan or report",
    "Plan": "local plan or report",
    "Body": "organisation or partnership",
    "BodyType": "kind of body",
    "Assertion": "evidence passage",
}
SERVICE_GROUP = "services"


def _label(m: Match) -> str:
    """A result's name in words: an entity with no label is named by its identifier's last part, not by a CURIE."""
    if m.label == compact(m.iri) or m.label == m.iri:
        return words_of(m.iri.rstrip("/"))
    return m.label


def area_slug(iri: str) -> str | None:
    """The slug of a council area's page (``/areas/<slug>``): its identifier's last part."""
    return iri[len(str(KB)) :] if iri.startswith(str(KB)) else None


def _obligations(**params: str) -> str:
    return "/analyses/obligations?" + urlencode(params)


def _actions(iri: str, label: str, group: str, types: tuple[str, ...]) -> list[dict[str, str]]:
    """What a person can do next with a result: an area's page and what its services must feed; for a service, what
    it must feed in an area (the obligations form, with the service filled in)."""
    if group == "areas":
        actions = []
        slug = area_slug(iri)
        if COUNCIL_AREA in types and slug:
            actions.append({"label": "Area page", "href": f"/areas/{slug}"})
        actions.append({"label": "What must its services feed?", "href": _obligations(area=label)})
        return actions
    if group == SERVICE_GROUP:
        return [{"label": "What must it feed in an area?", "href": _obligations(service=label)}]
    return []


def _kind(types: tuple[str, ...]) -> str:
    """What a result is, in words ('council area', 'statutory plan'), from its types in this knowledge base."""
    idx = index(get_store())
    own = [t for t in types if t.startswith(AK)] or list(types)
    own = [t for t in own if not any(u != t and u in idx.subclasses.get(t, ()) for u in own)]  # the narrowest
    words = []
    for t in own:
        local = t.rsplit("#", 1)[-1]
        word = KIND_WORDS.get(local) or idx.label.get(t) or ""
        if word and word not in words:
            words.append(word)
    return ", ".join(words)


def _group_of(types: tuple[str, ...], members: dict[str, set[str]]) -> str:
    for key, _words, _classes in GROUPS:
        if members.get(key, set()) & set(types):
            return key
    return "other"


def _members() -> dict[str, set[str]]:
    """Group key → the classes (with their subclasses) whose members fall in it."""
    idx = index(get_store())
    return {key: idx.allowed([AK + c for c in classes]) or set() for key, _w, classes in GROUPS if classes}


def _result(m: Match, members: dict[str, set[str]]) -> dict[str, Any]:
    label = _label(m)
    group = _group_of(m.types, members)
    return {
        "iri": m.iri,
        "label": label,
        "href": local_href(m.iri) or m.iri,
        "types": list(m.types),
        "group": group,
        "group_label": GROUP_WORDS[group],
        "kind": _kind(m.types),
        "matched": m.matched,
        "score": round(float(m.score), 3),
        "exact": m.score >= EXACT,
        "actions": _actions(m.iri, label, group, m.types),
        "service": label if group == SERVICE_GROUP else None,
    }


def search(
    text: str, type_iri: str | None = None, limit: int = 50, types: list[str] | None = None
) -> list[dict[str, Any]]:
    """Entities whose label, alternative label, notation, IRI or definition matches ``text``, best first; a
    result is ``exact`` when one of its names is the text (ignoring case and punctuation), else a near match.
    ``type_iri`` or ``types`` keep only members of those classes (and their subclasses). Evidence passages are left
    out (they are reached from what they support)."""
    text = text.strip()
    if not text:
        return []
    wanted = ([type_iri] if type_iri else []) + list(types or [])
    members = _members()
    found = search_names(get_store(), text, types=wanted or None, limit=limit + 20)
    return [_result(m, members) for m in found if ASSERTION not in m.types][:limit]


def grouped(text: str, type_iri: str | None = None, group: str | None = None) -> dict[str, Any]:
    """A search as the search page shows it: every result (best first, in ``results``), the groups with their
    counts and first results (``groups``), all the results of the chosen group when one is chosen (searched for
    among that group's classes only, so none is crowded out by other kinds), a sentence saying how many there
    are, and near matches to offer as "Did you mean" when nothing is called exactly ``text``."""
    results = search(text, type_iri, limit=SEARCH_LIMIT)
    truncated = len(results) >= SEARCH_LIMIT
    chosen = group if group in GROUP_WORDS else None
    classes = {key: [AK + c for c in cls] for key, _w, cls in GROUPS}
    groups = []
    for key, words, _classes in GROUPS:
        inside = [r for r in results if r["group"] == key]
        if chosen == key and classes[key] and not type_iri:
            inside = [r for r in search(text, limit=SEARCH_LIMIT, types=classes[key]) if r["group"] == key]
        if not inside:
            continue
        shown = inside if chosen == key else inside[:PER_GROUP]
        groups.append(
            {
                "key": key,
                "label": words,
                "count": len(inside),
                "href": "/search?" + urlencode({"q": text, "group": key}),
                "results": shown,
                "more": len(inside) - len(shown),
            }
        )
    exact = any(r["exact"] for r in results)
    did_you_mean: list[dict[str, str]] = []
    if results and not exact:
        seen: set[str] = set()
        for r in results:
            if r["label"].lower() not in seen and r["score"] >= 0.5:
                seen.add(r["label"].lower())
                did_you_mean.append({"label": r["label"], "href": "/search?" + urlencode({"q": r["label"]})})
            if len(did_you_mean) == 3:
                break
    shown_groups = [g for g in groups if g["key"] == chosen] if chosen else groups
    in_group = shown_groups[0]["count"] if chosen and shown_groups else 0
    if not text:
        status = ""
    elif chosen and not in_group:
        status = f"Nothing among {GROUP_WORDS[chosen]} matches “{text}”."
    elif not results:
        status = f"Nothing matches “{text}”."
    elif chosen:
        status = f"{in_group} result{'' if in_group == 1 else 's'} for “{text}” among {GROUP_WORDS[chosen]}."
    elif truncated:
        status = (
            f"More than {len(results)} results for “{text}”: the {len(results)} closest are grouped below, and the "
            "counts are of those. Add a word to narrow the search, or choose a group to see all of its results."
        )
    else:
        status = f"{len(results)} result{'' if len(results) == 1 else 's'} for “{text}”."
    return {
        "results": results,
        "groups": shown_groups,
        "facets": [{k: g[k] for k in ("key", "label", "count", "href")} for g in groups],
        "group": chosen,
        "group_label": GROUP_WORDS.get(chosen or ""),
        "exact": exact,
        "truncated": truncated,
        "status": status,
        "did_you_mean": did_you_mean,
    }


def suggest(text: str, limit: int = 5) -> list[dict[str, str]]:
    """Near matches, inside this knowledge base, for a misspelt or unknown name or slug (for 404 pages)."""
    wanted = text.replace("-", " ").strip()
    if not wanted:
        return []
    found = [m for m in search_names(get_store(), wanted, limit=limit * 4) if local_href(m.iri)]
    return [{"iri": m.iri, "label": m.label, "href": local_href(m.iri) or m.iri} for m in found[:limit]]
