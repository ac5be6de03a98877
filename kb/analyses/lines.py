"""Reporting lines: a plan or report requirement with the reports on it (ak:reportsOn, transitively). A plan and
its own annual report are one line; duplicate-reporting and overlaps compare lines, not their members."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from kb.analyses.landscape import Landscape


class Clusters:
    """Union-find over IRIs."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class Lines:
    """The reporting lines of a set of requirements."""

    def __init__(self, land: Landscape, reqs: Iterable[str]) -> None:
        chosen = set(reqs)
        self.clusters = Clusters()
        for r in chosen:
            self.clusters.find(r)
            for target in land.details.get(r, {}).get("reportsOn", []):
                if target in chosen:
                    self.clusters.join(r, target)
        self.members: dict[str, set[str]] = defaultdict(set)
        for r in chosen:
            self.members[self.clusters.find(r)].add(r)
        # a line is named after its plan (the requirement the others report on), else its first report
        self.head: dict[str, str] = {}
        for root, ms in self.members.items():
            heads = [m for m in ms if not set(land.details.get(m, {}).get("reportsOn", [])) & ms]
            self.head[root] = sorted(heads or ms)[0]

    def of(self, req: str) -> str:
        return self.clusters.find(req)

    def same(self, a: str, b: str) -> bool:
        return self.of(a) == self.of(b)
