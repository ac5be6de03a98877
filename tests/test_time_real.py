"""Dated facts of the law, checked on the real knowledge base (issue 13): each provision is in force from the
instrument that commenced it, never from Royal Assent; repeals end things on their day; unknown stays unknown.

Each case names the instrument that says so; the commencements themselves are in sources/ with their citations.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import pytest

from kb.analyses import run
from kb.model.paths import Home
from kb.store import OxigraphStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(built_home: Home) -> OxigraphStore:
    return OxigraphStore.from_dist(built_home.dist)


_STORES: dict[int, OxigraphStore] = {}


@cache
def _landscape(store_id: int, on: date) -> dict[str, str]:
    rows = run(_STORES[store_id], "landscape-at", {"date": on.isoformat()}).rows
    return {r["entity"].rsplit("/", 1)[-1]: r["status"] for r in rows}


def status(store: OxigraphStore, entity: str, on: date) -> str | None:
    _STORES[id(store)] = store
    return _landscape(id(store), on).get(entity)


# (entity, first day in force, the instrument that says so)
COMMENCED = [
    ("carers-act-2016-s31", date(2018, 4, 1), "SSI 2017/152 reg. 4: local carer strategy"),
    ("carers-act-2016-s6", date(2018, 4, 1), "SSI 2017/152 reg. 4: adult carer support plan"),
    ("carers-act-2016-s12", date(2018, 4, 1), "SSI 2017/152 reg. 4: young carer statement"),
    ("uncrc-act-2024-s18", date(2024, 7, 16), "UNCRC Act 2024 s.47(2)(a): children's rights reports"),
    ("uncrc-act-2024-s22", date(2024, 7, 16), "UNCRC Act 2024 s.47(2)(a)"),
    ("uncrc-act-2024-s20", date(2024, 1, 31), "SSI 2024/13: guidance on the reporting duty"),
    ("cyp-act-2014-s1", date(2015, 6, 15), "SSI 2015/61 art. 2(3)"),
    ("cyp-act-2014-s59", date(2015, 4, 1), "SSI 2015/61 art. 2(1): corporate parenting plans"),
    ("cyp-act-2014-s61", date(2015, 4, 1), "SSI 2015/61 art. 2(1): corporate parenting reports"),
    ("ce-act-2015-s4", date(2016, 12, 20), "SSI 2016/363: local outcomes improvement plans"),
    ("ce-act-2015-s1", date(2016, 4, 15), "SSI 2015/399: national outcomes"),
    ("child-poverty-act-2017-s13", date(2018, 2, 18), "Child Poverty Act 2017 s.16: local action reports"),
    ("cj-act-2016-s19", date(2016, 10, 1), "SSI 2016/262: community justice outcomes improvement plans"),
    ("cj-act-2016-s23", date(2016, 10, 1), "SSI 2016/262: annual reports"),
    ("pbjw-act-2014-s9", date(2014, 9, 22), "SSI 2014/231 art. 2"),
    ("ssi-2014-284", date(2014, 11, 28), "SSI 2014/284 reg. 1"),
]


@pytest.mark.parametrize(("entity", "first", "why"), COMMENCED, ids=[c[0] for c in COMMENCED])
def test_in_force_from_its_commencement_not_before(store: OxigraphStore, entity: str, first: date, why: str) -> None:
    assert status(store, entity, first - timedelta(days=1)) in ("not yet in force", "partly in force", None), why
    assert status(store, entity, first) == "in force", why


# (requirement, a day it did not apply, a day it applied, why)
APPLIES = [
    ("req-local-carer-strategy", date(2017, 12, 31), date(2018, 4, 1), "Carers Act main duties from 1 April 2018"),
    ("req-young-carer-statement", date(2016, 6, 1), date(2018, 4, 1), "not from Royal Assent (9 March 2016)"),
    ("req-childrens-rights-report", date(2024, 7, 15), date(2024, 7, 16), "UNCRC Act reporting duties"),
    ("req-corporate-parenting-plan", date(2015, 3, 31), date(2015, 4, 1), "SSI 2015/61"),
    ("req-loip", date(2016, 12, 19), date(2016, 12, 20), "CE Act Part 2 replaced community plans"),
    ("req-lcpar", date(2018, 2, 17), date(2018, 2, 18), "Child Poverty Act s.13"),
]


@pytest.mark.parametrize(("req", "before", "on", "why"), APPLIES, ids=[a[0] for a in APPLIES])
def test_a_requirement_applies_once_its_law_commenced(
    store: OxigraphStore, req: str, before: date, on: date, why: str
) -> None:
    assert status(store, req, before) in ("does not apply", None), why
    assert status(store, req, on) == "applies", why


def test_the_2014_act_part_1_reports_applied_until_their_repeal_on_16_july_2024(store: OxigraphStore) -> None:
    assert status(store, "req-ministers-uncrc-report-2014", date(2020, 6, 1)) == "applies"
    assert status(store, "req-ministers-uncrc-report-2014", date(2024, 7, 17)) == "does not apply"
    assert status(store, "cyp-act-2014-s2", date(2024, 7, 16)) == "repealed"
    assert status(store, "cyp-act-2014-sch-1", date(2024, 7, 16)) == "repealed"


def test_community_plans_applied_until_part_2_of_the_2003_act_was_repealed(store: OxigraphStore) -> None:
    assert status(store, "req-community-plan", date(2015, 6, 1)) != "does not apply"
    assert status(store, "req-community-plan", date(2016, 12, 21)) == "does not apply"
    assert status(store, "lg-act-2003-part-2", date(2016, 12, 20)) == "repealed"


def test_single_outcome_agreements_were_not_ended_before_loips(store: OxigraphStore) -> None:
    assert status(store, "req-single-outcome-agreement", date(2015, 6, 1)) != "does not apply"
    assert status(store, "req-single-outcome-agreement", date(2020, 6, 1)) == "does not apply"


def test_named_person_provisions_were_never_commenced(store: OxigraphStore) -> None:
    assert status(store, "cyp-act-2014-part-4", date(2020, 6, 1)) == "prospective"


def test_law_not_yet_enacted_is_not_in_the_landscape(store: OxigraphStore) -> None:
    assert status(store, "uncrc-act-2024", date(2023, 6, 1)) is None
    assert status(store, "uncrc-act-2024", date(2024, 2, 1)) == "partly in force"
    assert status(store, "care-reform-act-2025", date(2025, 7, 1)) is None
    assert status(store, "care-reform-act-2025", date(2025, 8, 1)) is not None


def test_royal_assent_is_not_commencement(store: OxigraphStore) -> None:
    # the Carers Act received Royal Assent on 9 March 2016; its strategy duty came into force on 1 April 2018
    assert status(store, "carers-act-2016-s31", date(2016, 3, 9)) == "not yet in force"
    assert status(store, "req-local-carer-strategy", date(2016, 3, 9)) == "does not apply"


def test_changes_reports_the_commencement_with_its_instrument(store: OxigraphStore) -> None:
    rows = run(store, "changes", {"from": "2018-01-01", "to": "2018-04-30"}).rows
    carers = [r for r in rows if r["entity"].endswith("/carers-act-2016") and r["change"] == "came into force"]
    assert carers and "SSI 2017/152" in carers[0]["detail"] and "reg. 4" in carers[0]["detail"]
    started = {r["entity"].rsplit("/", 1)[-1] for r in rows if r["change"] == "started to apply"}
    assert "req-local-carer-strategy" in started


def test_changes_reports_requirements_ceasing(store: OxigraphStore) -> None:
    rows = run(store, "changes", {"from": "2024-07-01", "to": "2024-08-01"}).rows
    stopped = {r["entity"].rsplit("/", 1)[-1] for r in rows if r["change"] in ("stopped applying", "superseded")}
    assert "req-ministers-uncrc-report-2014" in stopped


def test_the_verified_law_table_in_docs_is_the_one_the_knowledge_base_gives(store: OxigraphStore) -> None:
    from pathlib import Path

    from kb.law import markdown

    committed = (Path(__file__).resolve().parent.parent / "docs" / "verified-law.md").read_text(encoding="utf-8")
    assert committed == markdown(store), "run: alignkb law --out docs/verified-law.md (and read the diff)"
    assert "SSI 2017/152 reg. 4" in committed and "not recorded" in committed


def test_documents_appear_once_published_and_end_when_their_successor_takes_effect(store: OxigraphStore) -> None:
    assert status(store, "verity-house-agreement", date(2015, 6, 1)) is None  # signed 30 June 2023
    assert status(store, "npf-2024-proposal", date(2015, 6, 1)) is None
    assert status(store, "verity-house-agreement", date(2023, 7, 1)) == "current"
    # 2021 standards → 2022 (day not recorded) → 2024: by 2025 the 2021 standards are not current
    assert status(store, "sds-standards-2021", date(2025, 6, 1)) == "not current"
    assert status(store, "sds-standards-2024", date(2025, 6, 1)) == "current"


def test_nothing_applies_in_1990(store: OxigraphStore) -> None:
    rows = run(store, "obligations", {"area": "Inverclyde", "service": "children's social work"}, date(1990, 1, 1)).rows
    assert rows == []


def test_a_partial_commencement_reads_with_only_or_for_once() -> None:
    """Sources word purposes in several ways; the sentence gets "only" or "for" once, never "only only"."""
    from datetime import date

    from kb.analyses.timeline import Commencement

    def limited(purpose: str) -> str:
        return Commencement("c", "x", date(2018, 4, 1), None, None, None, purpose).limited()

    assert limited("only so far as relating to s.4") == "only so far as relating to s.4"
    assert limited("so far as relating to s.4") == "only so far as relating to s.4"
    assert limited("for inserting s.3F") == "for inserting s.3F"
    assert limited("ss.99-103 only (Part 18)") == "for ss.99-103 only (Part 18)"
    assert limited("the provisions listed in the Schedule") == "only the provisions listed in the Schedule"
