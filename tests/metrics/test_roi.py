"""ROI: the pure progress arithmetic, and over HTTP the playbook's table against measured baselines and KPIs."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from services.metrics.roi.benchmarks import LiveLocation, benchmark_results
from services.metrics.roi.domain import Weighted, roi_of
from services.metrics.roi.money import Assumptions, per_month
from shared.contracts.metrics import KpiValue
from shared.playbooks import get_template
from shared.playbooks.metrics import RoiTarget
from tests.conftest import bearer, serve
from tests.metrics.factories import create_program, register_location, went_live
from tests.metrics.test_kpis import T0

PLANNING = RoiTarget(metric="planning_time_minutes", label="Planning", baseline=20, target=14, unit="minutes",
                     horizon_days=90, owner="Clinician")


def kpi(value: float | None, n: int) -> KpiValue:
    return KpiValue(value=value, n=n, window="since_go_live")


def test_progress_runs_from_baseline_to_target_in_the_better_direction() -> None:
    halfway = roi_of(PLANNING, [], [kpi(17.0, 10)])
    assert (halfway.baseline, halfway.baseline_source, halfway.progress_pct, halfway.met) == (20, "playbook", 50.0,
                                                                                             False)
    measured = roi_of(PLANNING, [Weighted(26.0, 30), Weighted(22.0, 10)], [kpi(13.0, 5), kpi(16.0, 5)])
    assert (measured.baseline, measured.baseline_n, measured.current, measured.met) == (25.0, 40, 14.5, False)
    assert measured.progress_pct == round(100 * (14.5 - 25) / (14 - 25), 1)
    done = roi_of(PLANNING, [], [kpi(13.0, 4)])
    assert done.met and done.progress_pct == 116.7
    nothing = roi_of(PLANNING, [], [kpi(None, 0)])
    assert (nothing.current, nothing.progress_pct, nothing.met) == (None, None, None)


async def test_the_program_roi_table_over_http(app, token, org) -> None:
    admin = bearer(token(org))
    async with serve(app) as client:
        program = await create_program(app, org, "spark-dso")
        location = await register_location(app, org, "North Smiles", "north", program)
        captured = await client.put(f"/api/v1/locations/{location}/baseline", headers=admin, json={"metrics": [
            {"metric": "planning_time_minutes", "value": 22.0, "period_start": "2026-02-01",
             "period_end": "2026-02-28", "sample_size": 30}]})
        assert captured.status_code == 200, captured.text
        await went_live(app, org, program, location, date(2026, 3, 2))
        for index, minutes in enumerate((15, 17)):
            created = await client.post(f"/api/v1/locations/{location}/cases", headers=admin, json={
                "patient": {"chart_number": f"C{index}"}, "submitted_at": (T0 + timedelta(days=1)).isoformat()})
            case = created.json()["id"]
            for kind, at in (("ScanUploaded", timedelta(days=1)), ("PlanApproved", timedelta(days=1, minutes=minutes))):
                sent = await client.post(f"/api/v1/cases/{case}/events", headers=admin,
                                         json={"type": kind, "occurred_at": (T0 + at).isoformat()})
                assert sent.status_code == 200, sent.text
        roi = (await client.get(f"/api/v1/programs/{program}/roi", headers=admin)).json()
        assert (roi["locations"], roi["live_locations"]) == (1, 1)
        planning = next(m for m in roi["metrics"] if m["metric"] == "planning_time_minutes")
        assert (planning["baseline"], planning["baseline_source"], planning["current"], planning["target"]) == (
            22.0, "measured", 16.0, 14.0)
        assert planning["progress_pct"] == 75.0 and planning["met"] is False
        users = next(m for m in roi["metrics"] if m["metric"] == "monthly_active_users_pct")
        assert (users["baseline"], users["current"]) == (None, None)  # no baseline in the seed (L68)
        # Money: the provider rate and the platform's cost per plan are not in the seeds - named as missing.
        [money] = roi["money_per_month"]
        assert money["labour_savings"] is None and "provider_hourly_rate" in money["missing"]
        assumptions = {"provider_hourly_rate": 180.0, "platform_cost_per_plan": 0.0, "revenue_per_case": 4000.0,
                       "cost_per_plan": 60.0}
        regional = bearer(token(org, "regional_admin", regions=("north",)))
        url = f"/api/v1/programs/{program}/roi/assumptions"
        assert (await client.put(url, headers=regional, json=assumptions)).status_code == 403
        negative = await client.put(url, headers=admin, json=assumptions | {"provider_hourly_rate": -1})
        assert negative.status_code == 422 and negative.json()["error"]["field"] == "provider_hourly_rate"
        assert (await client.put(url, headers=admin, json=assumptions)).status_code == 200
        roi = (await client.get(f"/api/v1/programs/{program}/roi", headers=admin)).json()
        [money] = roi["money_per_month"]
        # 2 cases a month: labour (22 - 16) / 60 x 2 x 180 = 36; design fees (60 - 0) x 2 = 120; no acceptance yet.
        assert (money["labour_savings"], money["design_fee_savings"], money["revenue_uplift"]) == (36.0, 120.0, None)
        assert money["total"] == roi["total_per_month"] == 156.0 and roi["assumptions"] == assumptions
        # Spark's 30/60/90-day benchmarks (L70-72) from this location's go-live, with the gates' evaluator.
        marks = {b["day"]: b for b in roi["benchmarks"]}
        assert set(marks) == {30, 60, 90} and {b["status"] for b in marks.values()} == {"due"}
        assert marks[30]["due_on"] == "2026-04-01" and not marks[30]["passed"]
        reduction = next(r for r in marks[60]["results"] if r["key"] == "planning-time-reduction")
        assert (reduction["status"], reduction["baseline"], reduction["current"]) == ("pass", 22.0, 16.0)
        assert round(reduction["measured"], 1) == 27.3
        acceptance = next(r for r in marks[30]["results"] if r["key"] == "pilot-acceptance")
        assert acceptance["status"] == "insufficient_data"
        provider = bearer(token(org, "provider", locations=(location,)))
        assert (await client.get(f"/api/v1/programs/{program}/roi", headers=provider)).status_code == 403

        report = await client.get(f"/api/v1/programs/{program}/reports/monthly.csv?month=2026-03", headers=admin)
        assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
        [row] = list(csv.DictReader(io.StringIO(report.text)))
        assert (row["location"], row["month"], row["case_volume"], row["plans_approved"]) == (
            "North Smiles", "2026-03", "2", "2")
        assert (row["planning_time_minutes"], row["went_live"]) == ("16.0", "2026-03-02")
        empty = await client.get(f"/api/v1/programs/{program}/reports/monthly.csv?month=2026-04", headers=admin)
        [quiet] = list(csv.DictReader(io.StringIO(empty.text)))
        assert quiet["case_volume"] == "0"
        bad = await client.get(f"/api/v1/programs/{program}/reports/monthly.csv?month=2026-13", headers=admin)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "month"
        assert (await client.get("/api/v1/programs/nope/roi", headers=admin)).status_code == 404


def test_money_per_month_names_what_it_lacks() -> None:
    full = per_month("L", baselines={"case_acceptance_rate_pct": 60.0, "planning_time_minutes": 20.0,
                                     "revenue_per_case": 3000.0, "cost_per_plan": 80.0},
                     current={"aligner_cases_per_month": 10.0, "case_acceptance_rate_pct": 70.0,
                              "planning_time_minutes": 14.0},
                     assumptions=Assumptions(provider_hourly_rate=120.0, platform_cost_per_plan=20.0))
    assert (full.revenue_uplift, full.design_fee_savings, full.labour_savings) == (3000.0, 600.0, 120.0)
    assert full.total == 3720.0 and full.missing == []
    bare = per_month("L", baselines={}, current={"aligner_cases_per_month": 10.0}, assumptions=Assumptions())
    assert bare.total == 0 and "provider_hourly_rate" in bare.missing and "revenue_per_case" in bare.missing


def test_a_benchmark_not_yet_due_shows_its_figures_so_far() -> None:
    spark = get_template("spark-dso")
    yesterday = date(2026, 12, 3)
    place = LiveLocation("L", "wave-1", yesterday, [], {})
    results = benchmark_results(spark.metrics.benchmarks, [place], now=datetime(2026, 12, 4, tzinfo=UTC),
                                acceptance_within_days=None)
    assert {(r.day, r.status) for r in results} == {(30, "pending"), (60, "pending"), (90, "pending")}
    assert all(c.status == "insufficient_data" for r in results for c in r.results)
    wave_3 = benchmark_results(spark.metrics.benchmarks, [LiveLocation("M", "wave-3", yesterday, [], {})],
                               now=datetime(2026, 12, 4, tzinfo=UTC), acceptance_within_days=None)
    assert all(c.scope in ("program", "wave-3") for r in wave_3 for c in (
        next(k for b in spark.metrics.benchmarks for k in b.checks if k.key == x.key) for x in r.results))


def test_softsmile_targets_are_its_success_criteria_and_spark_keeps_its_table() -> None:
    from services.metrics.roi.domain import Weighted
    from services.metrics.roi.targets import targets_of
    from shared.playbooks import get_template

    measured = {"plan_turnaround_hours": Weighted(70.0, 40), "case_acceptance_rate_pct": Weighted(52.0, 40)}
    softsmile = {t.metric: t for t in targets_of(get_template("softsmile-dso"), measured.get)}
    assert softsmile["plan_turnaround_hours"].target == 49.0  # improved by 30 %
    assert (softsmile["case_acceptance_rate_pct"].target, softsmile["case_acceptance_rate_pct"].unit) == (52.0,
                                                                                                         "percent")
    assert softsmile["cases_without_critical_issue_pct"].target == 85.0
    assert softsmile["provider_satisfaction"].target == 4.0
    assert "training_completion_pct" not in softsmile and "champion_model_validated" not in softsmile
    # Without a measured baseline a relative target is not set yet.
    assert "plan_turnaround_hours" not in {t.metric for t in targets_of(get_template("softsmile-dso"), {}.get)}
    spark = targets_of(get_template("spark-dso"), measured.get)
    assert [t.metric for t in spark] == [t.metric for t in get_template("spark-dso").metrics.roi_targets]
