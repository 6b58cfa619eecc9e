"""The words templates may use: location facts (for conditions) and live KPIs (for gates and ROI).

Facts are what the readiness service records about a location; KPIs are what the
metrics service projects. Keeping both as closed catalogs lets a template typo fail
at load time, while a new vendor that reuses these words stays a data file.
Ordered choices list their values worst → best, so `>=` and ranking work on them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

FactKind = Literal["number", "bool", "choice", "version", "text"]


class FactSpec(BaseModel):
    """How one location fact is typed; `choices` are worst → best when `ordered`."""

    model_config = ConfigDict(frozen=True)

    kind: FactKind
    description: str
    choices: tuple[str, ...] = ()
    ordered: bool = False


def _n(description: str) -> FactSpec:
    return FactSpec(kind="number", description=description)


def _b(description: str) -> FactSpec:
    return FactSpec(kind="bool", description=description)


def _v(description: str) -> FactSpec:
    return FactSpec(kind="version", description=description)


def _c(description: str, *choices: str, ordered: bool = False) -> FactSpec:
    return FactSpec(kind="choice", description=description, choices=choices, ordered=ordered)


LOCATION_FACTS: dict[str, FactSpec] = {
    # Profile
    "region": FactSpec(kind="text", description="Region name"),
    "practice_type": _c("Practice type", "gp", "ortho_specialty", "multi_specialty"),
    "setting": _c("Practice setting", "urban", "suburban", "rural"),
    "monthly_aligner_starts": _n("Clear-aligner starts per month"),
    "ops_strength": _c("Strength / organisation of the operations team", "weak", "moderate", "strong", ordered=True),
    # IT infrastructure
    "internet_type": _c("Internet connection type", "fiber", "cable", "dsl", "wireless", "other"),
    "internet_down_mbps": _n("Download bandwidth, Mbps"),
    "internet_up_mbps": _n("Upload bandwidth, Mbps"),
    "latency_ms": _n("Network latency to the vendor cloud, ms"),
    "wifi_reliable": _b("Reliable broadband / WiFi in every treatment room"),
    "firewall_allows_vendor_cloud": _b("Port 443 open, no proxy or firewall blocking the vendor (incl. WebSockets)"),
    "static_ip_or_nat": _b("Static IP or consistent NAT for API integrations"),
    "it_managed": _b("IT is professionally managed"),
    "hardware_age_years": _n("Age of the planning workstations, years"),
    "workstation_cpu_class": _n("CPU class: 7 = Intel Core i7 / AMD Ryzen 7, 9 = i9 / Ryzen 9, ..."),
    "workstation_ram_gb": _n("Workstation RAM, GB"),
    "workstation_gpu_dedicated": _b("Dedicated GPU at least NVIDIA GTX 1060 class"),
    "workstation_ssd": _b("Workstation uses SSD storage"),
    "workstation_os": _c("Workstation operating system", "windows", "macos", "ipados", "other"),
    "workstation_os_version": _v("Operating-system version, e.g. '11' or '14.2'"),
    "workstation_64bit": _b("64-bit operating system"),
    "browser": _c("Browser used for the platform", "chrome", "edge", "safari", "firefox", "other"),
    "monitor_size_in": _n("Largest planning monitor, inches"),
    "devices_per_clinician": _n("Planning devices (iPad/laptop) per clinician"),
    "shared_devices": _n("Shared backup devices at the location"),
    # Practice systems
    "pms": _c("Practice-management system", "dentrix", "eaglesoft", "open_dental", "other"),
    "pms_version": _v("PMS version, digits only, e.g. '7.3' for Dentrix G7.3"),
    "pms_versions_behind": _n("Major PMS releases behind the current one (0 = current)"),
    "pms_supported": _b("PMS version is still supported by its maker"),
    "pms_integration": _c(
        "Vendor integration path for this PMS",
        "unsupported", "complex", "middleware", "available", "native", ordered=True,
    ),
    "scanner": _c("Intraoral scanner", "itero", "trios", "medit", "carestream", "other", "none"),
    "scanner_version": _v("Scanner software version"),
    "scanner_compatibility": _c(
        "Scanner standing with the vendor",
        "incompatible", "upgrade_required", "compatible", "certified", ordered=True,
    ),
    "medit_link_installed": _b("Medit Link software installed"),
    "cloud_imaging": _b("Imaging is stored in the cloud"),
    "cbct_dicom_export": _b("CBCT can export DICOM"),
    # People
    "staff_turnover_pct": _n("Annual staff turnover, %"),
    "prior_tech_adoption": _c(
        "Outcome of the last technology adoption",
        "failed", "resisted", "mixed", "adequate", "successful", ordered=True,
    ),
    "staff_tech_culture": _c("Staff attitude to technology", "resistant", "neutral", "tech_forward", ordered=True),
    "provider_champion": _b("A provider champion is identified"),
    "om_champion": _b("The office manager is a (tech-savvy) champion"),
    "champion_commitment": _c("Commitment of the identified champion(s)", "none", "willing", "committed", ordered=True),
    "champion_volunteered": _b("The provider champion volunteered (not assigned)"),
    "active_staff_resistance": _b("Key staff actively resist the change"),
    "om_has_capacity": _b("Office manager has capacity (not managing other initiatives)"),
    "ongoing_major_change": _b("Renovation, provider transition or other major change under way"),
    "regional_manager_distance_km": _n("Distance to the regional manager, km"),
    "near_regional_manager": _b("Close enough for the regional manager's hands-on support"),
    # Derived by the readiness service from the rubric
    "composite_score": _n("Readiness composite, 5-25"),
    "min_factor_score": _n("Lowest of the five factor scores"),
    "score_it_infrastructure": _n("IT infrastructure factor score, 1-5"),
    "score_staff_adaptability": _n("Staff adaptability factor score, 1-5"),
    "score_patient_volume": _n("Patient volume factor score, 1-5"),
    "score_tech_stack": _n("Tech-stack factor score, 1-5"),
    "score_champion": _n("Champion factor score, 1-5"),
}

# Live KPIs the metrics and training services project; gates, benchmarks and ROI name them.
KPIS: dict[str, str] = {
    "plan_turnaround_hours": "Case submission to clinician-approved plan, hours",
    "planning_time_minutes": "Scan upload to completed treatment plan, minutes",
    "revisions_per_case": "Plan revisions per case",
    "provider_review_minutes": "Provider minutes per plan review",
    "case_acceptance_rate_pct": "Share of presented cases accepted by the patient",
    "lab_turnaround_days": "Case submission to aligner arrival, days",
    "cases_without_critical_issue_pct": "Share of processed cases without a critical issue",
    "platform_adoption_pct": "Share of new aligner cases planned in the platform",
    "monthly_active_users_pct": "Share of licensed users active in the month",
    "plans_per_clinician_min": "Plans completed by the least active clinician in scope",
    "provider_satisfaction": "Provider survey score, 1-5",
    "clinician_satisfaction": "Clinician survey score, 1-10",
    "training_completion_pct": "Share of the scope's staff who completed their curriculum",
    "champion_model_validated": "Champions of the previous wave trained this wave's staff",
    "unresolved_sev1_sev2_incidents": "Open severity-1 or severity-2 incidents",
    "critical_blockers": "Open critical blockers (scans won't import, plans won't export)",
    "support_tickets_per_location": "Support tickets per live location in the window",
    "systemic_issue_categories": "Issue categories open at two or more locations",
    "lab_export_failures": "Failed case exports to the lab",
    "aligner_cases_per_month": "New aligner cases per month in the window",
    "locations_live_pct": "Share of the scope's planned locations that are live",
    "refinements_per_case": "Refinements per accepted case",
    "case_backlog": "Cases submitted and not yet approved",
}
