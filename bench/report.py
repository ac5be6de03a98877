"""Turn ``alignkb bench --format json`` reports into the Markdown tables of docs/performance.md.

python bench/report.py real.json 10k.json 100k.json 1m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def markdown(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table: the header, its separator (one cell per column) and the rows."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def table(reports: list[dict]) -> str:
    header = ["analysis"] + [f"{r['quads']:,} quads: cold ms / warm ms (rdflib/ox query ratio)" for r in reports]
    rows: list[list[object]] = []
    for name in reports[0]["analyses"]:
        cells: list[object] = [name]
        for r in reports:
            a = r["analyses"].get(name, {})
            ratio = a.get("rdflib_over_oxigraph")
            cold = a.get("cold_ms", a.get("first_ms"))
            cells.append(
                (f"{cold} / " if cold is not None else "")
                + f"{a.get('warm_ms', a.get('median_ms', ''))}"
                + (f" ({ratio}×)" if isinstance(ratio, float | int) else f" ({ratio})" if ratio else "")
            )
        rows.append(cells)
    return markdown(header, rows)


def builds(reports: list[dict]) -> str:
    header = [
        "quads",
        "build without SHACL/HermiT (s)",
        "SHACL (s)",
        "HermiT (s)",
        "label index (s)",
        "peak MB (build + analyses)",
        "rdflib load (s)",
        "peak MB rdflib worker",
    ]
    rows: list[list[object]] = []
    for r in reports:
        b, m = r.get("build_s", {}), r["memory"]
        rows.append(
            [
                f"{r['quads']:,}",
                b.get("without_shacl_hermit", ""),
                b.get("shacl") or "not run",
                b.get("hermit") or "not run",
                r["label_index_s"],
                m.get("peak_mb_build_and_analyses", m.get("peak_mb", "")),
                m.get("rdflib_load_s", ""),
                m.get("peak_mb_rdflib_worker", ""),
            ]
        )
    return markdown(header, rows)


def checked_builds(reports: list[dict]) -> str:
    """The build with SHACL and HermiT: cold, after a small source folder is added, and unchanged."""
    stages = ["total_s", "read", "load", "violations", "shacl", "reasoner", "write"]
    header = ["quads", "stage", "SHACL mode", "total (s)", "read", "load", "violations", "SHACL", "HermiT", "write"]
    header += ["peak MB: build process / SHACL process", "peak MB all processes (PSS)"]
    rows: list[list[object]] = []
    for r in reports:
        checks = r.get("build_s", {}).get("with_checks") or {}
        for stage in ("cold", "after_addition", "unchanged"):
            t = checks.get(stage)
            if t:
                rows.append(
                    [f"{r['quads']:,}", stage.replace("_", " "), t.get("shacl_mode", "")]
                    + [t.get(k, "") for k in stages]
                    + [f"{checks.get('peak_mb', '')} / {t.get('shacl_process_peak_mb', '–')}"]
                    + [checks.get("peak_pss_mb", "")]
                )
    return markdown(header, rows)


if __name__ == "__main__":
    loaded = [json.loads(Path(p).read_text()) for p in sys.argv[1:]]
    print(table(loaded))
    print()
    print(builds([r for r in loaded if "build_s" in r]))
    print()
    print(checked_builds([r for r in loaded if "build_s" in r]))
