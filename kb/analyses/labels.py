"""Finding entities by the names people type: labels, alternative labels, short titles, notations and IRIs.

Matching is case-insensitive and forgiving of punctuation, "&"/"and", apostrophes, "(Scotland)" and the ways
provisions are cited ("s.8", "section 8", "s8"). A provision is also known by each name of its instrument
followed by its number ("CYP Act 2014 s.8"). Fuzzy matches are only ever suggestions: an unknown or ambiguous
name raises :class:`ParameterError` listing the nearest matches (difflib).
"""

from __future__ import annotations

import contextlib
import difflib
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kb.model.namespace import PREFIXES, compact, expand
from kb.store import Store, term_text
from kb.store.querydoc import query_text

_MENTION = re.compile(r"\b(" + "|".join(PREFIXES) + r"):([A-Za-z][\w.-]*[A-Za-z0-9_])")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def words_of(name: str) -> str:
    """A term with no label named by its local name in words: ``…#historyNote`` → "history note",
    ``bt-health-board`` → "health board"."""
    local = name.rsplit("#", 1)[-1].rsplit("/", 1)[-1].removeprefix("bt-")
    return _CAMEL.sub(" ", local).replace("-", " ").replace("_", " ").lower()


class ParameterError(ValueError):
    """A parameter value that names nothing (or several things); carries the nearest matches."""

    def __init__(self, param: str, value: str, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.param = param
        self.value = value
        self.suggestions = list(suggestions)

    def __str__(self) -> str:
        text = self.args[0]
        if self.suggestions:
            text += "\n  did you mean: " + "; ".join(self.suggestions)
        return text


class SeveralNamed(ParameterError):
    """A value that names several entities on purpose, as the seeds write a shared board's areas
    ("Clackmannanshire/Stirling"); an analysis answers for each of ``iris`` in turn."""

    def __init__(self, param: str, value: str, iris: Sequence[str], suggestions: Sequence[str] = ()) -> None:
        super().__init__(param, value, f"{param}: '{value}' names {len(iris)} entities", suggestions)
        self.iris = list(iris)


@dataclass(frozen=True)
class Match:
    iri: str
    label: str
    types: tuple[str, ...]
    score: float
    matched: str


# How much a kind of name counts when several entities share it (higher wins a tie).
_KIND_RANK = {"label": 4, "short": 4, "iri": 4, "alt": 3, "variant": 2, "notation": 2, "definition": 0}
_WORDS = {
    "section": "s",
    "sect": "s",
    "sec": "s",
    "schedule": "sch",
    "regulation": "reg",
    "regulations": "regs",
    "article": "art",
    "paragraph": "para",
    "subsection": "s",
    "no": "",
    "number": "",
}


def normalise(text: str) -> str:
    """The matching key of a name: lower case ASCII words, '&' as 'and', provision words abbreviated."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    t = t.replace("(scotland)", " ").replace("&", " and ")
    t = re.sub(r"['`]", "", t)
    t = re.sub(r"[^a-z0-9]+", " ", t)
    t = re.sub(r"\b(s|sch|reg|art|part|para)(\d)", r"\1 \2", t)
    words = [_WORDS.get(w, w) for w in t.split()]
    return " ".join(w for w in words if w)


@dataclass
class LabelIndex:
    """Every name of every entity, keyed by its normalised form."""

    names: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # key → (iri, kind, raw)
    label: dict[str, str] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=dict)
    subclasses: dict[str, set[str]] = field(default_factory=dict)  # class → itself and every subclass
    definitions: dict[str, str] = field(default_factory=dict)

    def add(self, iri: str, kind: str, raw: str) -> None:
        key = normalise(raw)
        if key:
            entries = self.names.setdefault(key, [])
            if (iri, kind, raw) not in entries:
                entries.append((iri, kind, raw))

    def allowed(self, types: Sequence[str] | None) -> set[str] | None:
        if not types:
            return None
        allowed: set[str] = set()
        for t in types:
            full = expand(t) or t
            allowed |= self.subclasses.get(full, {full})
        return allowed

    def fits(self, iri: str, allowed: set[str] | None) -> bool:
        return allowed is None or bool(self.types.get(iri, set()) & allowed)

    def display(self, iri: str) -> str:
        return self.label.get(iri) or compact(iri)

    def in_words(self, text: str, other: Callable[[str, str], str | None] | None = None) -> str:
        """``text`` with every short IRI it mentions (``kb:…``, ``ak:partOf``, ``skos:scopeNote``) replaced by words:
        the label when there is one, else the local name in words. ``other(prefix, local)`` may name a mention
        first (the web pages name an evidence record by the place it cites)."""

        def name(match: re.Match[str]) -> str:
            prefix, local = match.group(1), match.group(2)
            named = other(prefix, local) if other else None
            return named or self.label.get(PREFIXES[prefix] + local) or words_of(local)

        return _MENTION.sub(name, text) if ":" in text else text


_INDEXES: weakref.WeakKeyDictionary[object, LabelIndex] = weakref.WeakKeyDictionary()


def index(store: Store) -> LabelIndex:
    """The label index of a store, built once per store object."""
    try:
        cached = _INDEXES.get(store)
    except TypeError:
        cached = None
    if cached is not None:
        return cached
    built = _build(store)
    with contextlib.suppress(TypeError):
        _INDEXES[store] = built
    return built


def _build(store: Store) -> LabelIndex:
    idx = LabelIndex()
    kinds = {
        "http://www.w3.org/2000/01/rdf-schema#label": "label",
        "http://www.w3.org/2004/02/skos/core#prefLabel": "label",
        "http://purl.org/dc/terms/title": "label",
        "http://www.w3.org/2004/02/skos/core#altLabel": "alt",
        "http://www.w3.org/2004/02/skos/core#hiddenLabel": "alt",
        "https://w3id.org/alignkb/ontology#shortTitle": "short",
        "http://www.w3.org/2004/02/skos/core#notation": "notation",
    }
    for row in store.select(query_text("fetch-names")).rows:
        iri, prop, name = term_text(row["s"]), term_text(row["p"]), term_text(row["name"])
        if not iri or not name or not prop:
            continue
        if prop == "http://www.w3.org/2004/02/skos/core#definition":
            idx.definitions.setdefault(iri, name)
            continue
        kind = kinds.get(prop, "alt")
        if kind == "label" and (iri not in idx.label or prop.endswith("#label")):
            idx.label[iri] = name
        idx.add(iri, kind, name)
    for row in store.select(query_text("fetch-types")).rows:
        iri, cls = term_text(row["s"]), term_text(row["type"])
        if iri and cls:
            idx.types.setdefault(iri, set()).add(cls)
    for iri in idx.types:
        local = re.split(r"[/#]", iri)[-1]
        idx.add(iri, "iri", local.replace("-", " "))
    parents: dict[str, set[str]] = {}
    for row in store.select("SELECT ?c ?d WHERE { ?c rdfs:subClassOf ?d FILTER(isIRI(?c) && isIRI(?d)) }").rows:
        parents.setdefault(term_text(row["d"]) or "", set()).add(term_text(row["c"]) or "")
    for cls in list(parents):
        seen = {cls}
        todo = [cls]
        while todo:
            for sub in parents.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        idx.subclasses[cls] = seen
    _provision_variants(store, idx)
    return idx


def _provision_variants(store: Store, idx: LabelIndex) -> None:
    """'CYP Act 2014 s.8': each name of the instrument followed by the provision's number."""
    inst_names: dict[str, set[str]] = {}
    for key, entries in idx.names.items():
        for iri, kind, _raw in entries:
            if kind in ("label", "short", "alt", "notation"):
                inst_names.setdefault(iri, set()).add(key)
    for row in store.select(query_text("fetch-provision-numbers")).rows:
        prov, inst, number = term_text(row["provision"]), term_text(row["instrument"]), term_text(row["number"])
        if not prov or not inst or not number:
            continue
        num = normalise(number)
        forms = [num] if re.match(r"^[a-z]", num) else [f"s {num}", f"reg {num}", f"art {num}"]
        for name in inst_names.get(inst, ()):
            for form in forms:
                idx.add(prov, "variant", f"{name} {form}")


_CATEGORY = PREFIXES["ak"] + "ServiceCategory"
_SERVICE = PREFIXES["ak"] + "Service"


def _broadest(idx: LabelIndex, iris: list[str]) -> str | None:
    """Where one name is both a service category and services in it ("criminal justice social work"), people mean
    the category, which covers the service: the one category, when every other candidate is a service."""
    categories = [i for i in iris if _CATEGORY in idx.types.get(i, set())]
    others = [i for i in iris if i not in categories]
    if len(categories) == 1 and others and all(_SERVICE in idx.types.get(i, set()) for i in others):
        return categories[0]
    return None


def _entity_exists(store: Store, iri: str) -> bool:
    return store.ask("ASK { { ?s ?p ?o } UNION { ?x ?p ?s } }", {"s": ox.NamedNode(iri)})


def search(store: Store, text: str, types: Sequence[str] | None = None, limit: int = 20) -> list[Match]:
    """Entities whose names (labels, altLabels, notations, short titles, IRIs) or definitions match the text."""
    idx = index(store)
    allowed = idx.allowed(types)
    key = normalise(text)
    best: dict[str, tuple[float, str]] = {}

    def offer(iri: str, score: float, matched: str) -> None:
        if idx.fits(iri, allowed) and score > best.get(iri, (0.0, ""))[0]:
            best[iri] = (score, matched)

    full = expand(text)
    if full and full in idx.types:
        offer(full, 1.0, full)
    if key:
        for iri, kind, raw in idx.names.get(key, []):
            offer(iri, 1.0 if kind != "variant" else 0.98, raw)
        words = set(key.split())
        for name, entries in idx.names.items():
            if name == key:
                continue
            if key in name:
                score = 0.6 + 0.3 * len(key) / len(name)
            elif words and words <= set(name.split()):
                score = 0.5 + 0.3 * len(key) / len(name)
            else:
                continue
            for iri, _kind, raw in entries:
                offer(iri, score, raw)
        for name in difflib.get_close_matches(key, list(idx.names), n=max(limit, 10), cutoff=0.6):
            ratio = difflib.SequenceMatcher(None, key, name).ratio()
            for iri, _kind, raw in idx.names[name]:
                offer(iri, 0.85 * ratio, raw)
        if len(key) >= 4:
            for iri, definition in idx.definitions.items():
                if key in normalise(definition):
                    offer(iri, 0.4, definition)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], idx.display(kv[0]).lower()))
    return [
        Match(iri, idx.display(iri), tuple(sorted(idx.types.get(iri, ()))), round(score, 3), matched)
        for iri, (score, matched) in ranked[:limit]
    ]


def _suggest(idx: LabelIndex, matches: Iterable[Match]) -> list[str]:
    return [f"{m.label} ({compact(m.iri)})" for m in matches]


def resolve(store: Store, text: str, types: Sequence[str] | None = None, param: str = "entity") -> str:
    """The IRI that ``text`` names; raise ParameterError (with near matches) if it names none or several."""
    text = text.strip()
    full = expand(text)
    if full:
        if _entity_exists(store, full):
            return full
        local = re.split(r"[/#:]", full)[-1].replace("-", " ")
        hints = search(store, local, types, limit=5)
        raise ParameterError(
            param, text, f"{param}: no entity <{full}> in the knowledge base", _suggest(index(store), hints)
        )
    idx = index(store)
    allowed = idx.allowed(types)
    key = normalise(text)
    entries = [e for e in idx.names.get(key, []) if idx.fits(e[0], allowed)]
    if entries:
        top = max(_KIND_RANK.get(kind, 0) for _iri, kind, _raw in entries)
        iris = sorted({iri for iri, kind, _raw in entries if _KIND_RANK.get(kind, 0) == top})
        if len(iris) == 1:
            return iris[0]
        broader = _broadest(idx, iris)
        if broader is not None:
            return broader
        hints = [Match(i, idx.display(i), tuple(idx.types.get(i, ())), 1.0, text) for i in iris]
        raise ParameterError(
            param, text, f"{param}: '{text}' is ambiguous; it names {len(iris)} entities", _suggest(idx, hints)
        )
    what = " or ".join(_type_words(idx, t) for t in types) if types else "entity"
    parts = [part.strip() for part in re.split(r"\s*/\s*", text) if part.strip()]
    if len(parts) > 1:  # "Clackmannanshire/Stirling": the seeds name a shared board's areas together
        named = [_exactly(idx, part, allowed) for part in parts]
        if all(named):
            iris = list(dict.fromkeys(i for i in named if i))
            hints = [Match(i, idx.display(i), tuple(idx.types.get(i, ())), 1.0, text) for i in iris]
            raise SeveralNamed(param, text, iris, _suggest(idx, hints))
    hints = search(store, text, types, limit=5)
    raise ParameterError(param, text, f"{param}: no {what} is called '{text}'", _suggest(idx, hints))


def _type_words(idx: LabelIndex, type_name: str) -> str:
    """A class as a person says it: its label ('area'), not its CURIE."""
    full = expand(type_name) or type_name
    label = idx.label.get(full)
    return label or (full.rsplit("#", 1)[-1].rsplit("/", 1)[-1])


def _exactly(idx: LabelIndex, text: str, allowed: set[str] | None) -> str | None:
    """The one entity a name means exactly (the best kind of name), or None."""
    entries = [e for e in idx.names.get(normalise(text), []) if idx.fits(e[0], allowed)]
    if not entries:
        return None
    top = max(_KIND_RANK.get(kind, 0) for _iri, kind, _raw in entries)
    iris = sorted({iri for iri, kind, _raw in entries if _KIND_RANK.get(kind, 0) == top})
    return iris[0] if len(iris) == 1 else _broadest(idx, iris)
