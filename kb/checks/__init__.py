"""checks: what the build verifies. Every rule, with its severity and message, is listed by catalogue.py
(``python -m kb.checks.catalogue``); shacl.py runs the shapes and violation queries, reasoning.py HermiT,
schedule.py and incremental.py decide how much SHACL validates."""
