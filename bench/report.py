"""Turn ``alignkb bench --format json`` reports into the Markdown tables of docs/performance.md.

python bench/report.py real.json 10k.json 100k.json 1m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def table(reports: list[dict]) -> str:
    names = list(reports[0]["analyses"])
    head = "| analysis | " + " | ".join(
        f"{r['quads']:,} quads: cold ms / warm ms (rdflib/ox query ratio)" for r in reports
    )
    lines = [head + " |", "|---|" + "---|" * len(reports)]
    for name in names:
        cells = []
        for r in reports:
            a = r["analyses"].get(name, {})
            ratio = a.get("rdflib_over_oxigraph")
            cold = a.get("cold_ms", a.get("first_ms"))
            cells.append(
                (f"{cold} / " if cold is not None else "")
                + f"{a.get('warm_ms', a.get('median_ms', ''))}"
                + (f" ({ratio}×)" if isinstance(ratio, float | int) else f" ({ratio})" if ratio else "")
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def builds(reports: list[dict]) -> str:
    lines = [
        "| quads | build without SHACL/HermiT (s) | SHACL (s) | HermiT (s) | label index (s) | peak MB "
        "(build + analyses) | rdflib load (s) | peak MB rdflib worker |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        b, m = r.get("build_s", {}), r["memory"]
        lines.append(
            f"| {r['quads']:,} | {b.get('without_shacl_hermit', '')} | {b.get('shacl') or 'not run'} | "
            f"{b.get('hermit') or 'not run'} | {r['label_index_s']} | "
            f"{m.get('peak_mb_build_and_analyses', m.get('peak_mb', ''))} | {m.get('rdflib_load_s', '')} | "
            f"{m.get('peak_mb_rdflib_worker', '')} |"
        )
    return "\n".join(lines)


def checked_builds(reports: list[dict]) -> str:
    """The build with SHACL and HermiT: cold, after a small source folder is added, and unchanged."""
    lines = [
        "| quads | stage | SHACL mode | total (s) | read | load | violations | SHACL | HermiT | write | "
        "peak MB: build process / SHACL process | peak MB all processes (PSS) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        checks = r.get("build_s", {}).get("with_checks") or {}
        for stage in ("cold", "after_addition", "unchanged"):
            t = checks.get(stage)
            if not t:
                continue
            cells = [t.get(k, "") for k in ("total_s", "read", "load", "violations", "shacl", "reasoner", "write")]
            lines.append(
                f"| {r['quads']:,} | {stage.replace('_', ' ')} | {t.get('shacl_mode', '')} | "
                + " | ".join(str(c) for c in cells)
                + f" | {checks.get('peak_mb', '')} / {t.get('shacl_process_peak_mb', '–')}"
                + f" | {checks.get('peak_pss_mb', '')} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    loaded = [json.loads(Path(p).read_text()) for p in sys.argv[1:]]
    print(table(loaded))
    print()
    print(builds([r for r in loaded if "build_s" in r]))
    print()
    print(checked_builds([r for r in loaded if "build_s" in r]))
