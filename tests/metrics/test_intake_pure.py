"""Intake's pure parts: the Open Dental and generic adapters, patient matching per mode, delivery outcomes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.metrics.intake.adapters import ADAPTERS
from services.metrics.intake.adapters.base import CaseFact, Malformed, NotTracked, PatientFields, PatientRecord
from services.metrics.intake.deliveries import DeliveryState, Settle, decide, delivery_id, evolve
from services.metrics.intake.matching import Candidate, match
from shared.contracts.metrics import DeliveryParked, DeliveryProcessed

CHICAGO = ZoneInfo("America/Chicago")
OD = ADAPTERS["open_dental"]
GENERIC = ADAPTERS["itero"]


def test_open_dental_patient_in_the_practices_local_time() -> None:
    item = OD({"PatNum": 12, "LName": "Lee", "FName": "Ann", "Birthdate": "1990-02-01", "ChartNumber": "C-1",
               "ClinicNum": 3, "DateTStamp": "2027-03-01 08:00:00"}, CHICAGO)
    assert isinstance(item, PatientRecord)
    assert (item.clinic_id, item.patient_ref, item.patient.chart_number) == ("3", "12", "C-1")
    assert item.occurred_at == datetime(2027, 3, 1, 14, 0, tzinfo=UTC)  # CST is UTC-6
    unknown = OD({"PatNum": 1, "LName": "X", "FName": "Y", "Birthdate": "0001-01-01", "DateTStamp": "2027-03-01"},
                 CHICAGO)
    assert isinstance(unknown, PatientRecord) and unknown.patient.birth_date is None and unknown.clinic_id == "0"


def test_open_dental_procedures_post_only_when_complete() -> None:
    base = {"ProcNum": 5, "PatNum": 12, "ProcCode": "D8090", "ProcFee": "5500.00", "ProvNum": 2, "ClinicNum": 3,
            "DateTStamp": "2027-03-01T08:00:00-06:00"}
    posted = OD(base | {"ProcStatus": "C"}, CHICAGO)
    assert isinstance(posted, CaseFact) and posted.type == "ProcedurePosted"
    assert (posted.patient_ref, posted.provider_id, dict(posted.details)) == ("12", "2",
                                                                              {"code": "D8090", "fee": 5500.0})
    assert isinstance(OD(base | {"ProcStatus": "TP"}, CHICAGO), NotTracked)


@pytest.mark.parametrize(("body", "field"), [
    ({"ProcNum": 5, "ProcStatus": "C", "PatNum": 1, "ProcCode": "D8090", "DateTStamp": "yesterday"}, "DateTStamp"),
    ({"ProcNum": 5, "ProcStatus": "C", "PatNum": 1, "ProcCode": "D8090", "ProcFee": "lots",
      "DateTStamp": "2027-03-01"}, "ProcFee"),
    ({"PatNum": 1, "LName": "A", "FName": "B", "Birthdate": "02/01/1990", "DateTStamp": "2027-03-01"}, "Birthdate"),
    ({"Hello": "world"}, "body"),
    ([1, 2], "body"),
])
def test_open_dental_malformed_names_the_field(body: object, field: str) -> None:
    with pytest.raises(Malformed) as malformed:
        OD(body, CHICAGO)
    assert malformed.value.field == field


def test_generic_shape() -> None:
    item = GENERIC({"type": "plan.approved", "occurred_at": "2027-03-01T10:00:00Z", "clinic_id": "S-1",
                    "case_id": "A-1", "details": {"review_minutes": 12}}, CHICAGO)
    assert isinstance(item, CaseFact) and (item.type, item.external_case_id) == ("PlanApproved", "A-1")
    with pytest.raises(Malformed) as wrong:
        GENERIC({"type": "plan.exploded", "occurred_at": "2027-03-01T10:00:00Z", "clinic_id": "S-1"}, CHICAGO)
    assert wrong.value.field == "type"
    with pytest.raises(Malformed) as missing:
        GENERIC({"type": "case.created", "occurred_at": "2027-03-01T10:00:00Z", "clinic_id": "S-1"}, CHICAGO)
    assert missing.value.field == "case_id"


ANN = PatientFields("Lee", "Annabel", date(1990, 2, 1), "C-1")
KNOWN = [Candidate("pms", "1", ANN), Candidate("pms", "2", PatientFields("Park", "Jo", date(1985, 5, 5), "C-2"))]


def test_matching_modes() -> None:
    assert match(ANN, KNOWN, mode="name_dob_chart", threshold=90).found == KNOWN[0]
    assert match(PatientFields("lee ", "ANNABEL", date(1990, 2, 1), "c-1"), KNOWN, mode="name_dob_chart",
                 threshold=90).found == KNOWN[0]  # case and spacing folded
    assert match(PatientFields("Lee", "Anabel", date(1990, 2, 1), "C-1"), KNOWN, mode="name_dob_chart",
                 threshold=90).reason == "unmatched_patient"
    assert match(PatientFields(chart_number="C-2"), KNOWN, mode="chart", threshold=90).found == KNOWN[1]
    typo = match(PatientFields("Lee", "Anabel", date(1990, 2, 1)), KNOWN, mode="fuzzy", threshold=85)
    assert typo.found == KNOWN[0] and typo.score is not None and 85 <= typo.score < 100
    assert match(PatientFields("Lee", "Anabel", date(1990, 2, 2)), KNOWN, mode="fuzzy",
                 threshold=85).reason == "unmatched_patient"  # the date of birth must be equal
    assert match(PatientFields("Lee", "Bob", date(1990, 2, 1)), KNOWN, mode="fuzzy",
                 threshold=85).reason == "unmatched_patient"


def test_two_pms_records_of_one_person_are_a_duplicate_never_a_guess() -> None:
    twins = [*KNOWN, Candidate("pms", "9", PatientFields("Lee", "Annabel", date(1990, 2, 1), "C-9"))]
    found = match(PatientFields("Lee", "Annabel", date(1990, 2, 1)), twins, mode="fuzzy", threshold=90)
    assert found.found is None and found.reason == "ambiguous_patient" and "duplicate" in found.detail


def test_a_delivery_is_processed_once_and_parked_until_then() -> None:
    ids = {"delivery_id": delivery_id("i1", "w1"), "integration_id": "i1", "source": "itero", "webhook_id": "w1",
           "intake_sequence": 7}
    parked = DeliveryParked(**ids, reason="unmapped_clinic", detail="clinic 9")
    state = DeliveryState()
    assert decide(state, Settle(parked)) == [parked]
    state = evolve(state, parked)
    assert decide(state, Settle(parked)) == []  # the same verdict again records nothing
    done = DeliveryProcessed(**ids, location_id="L1", outcome="recorded")
    assert decide(state, Settle(done)) == [done]
    state = evolve(state, done)
    assert decide(state, Settle(parked)) == [] and decide(state, Settle(done)) == []
    assert delivery_id("i1", "w1") != delivery_id("i2", "w1")


def test_the_patient_index_forgets_what_was_received_before_the_retention(tmp_path) -> None:
    from datetime import timedelta

    from sqlmodel import Session, select

    from services.metrics.intake.patients import PatientIndexProjection, PatientIndexRow, purge_before
    from shared.db import make_engine
    from shared.projections import store

    engine = make_engine(f"sqlite:///{tmp_path / 'index.db'}")
    store.create_tables(engine, PatientIndexProjection())
    now = datetime.now(UTC)
    old_record = datetime(2001, 1, 1, tzinfo=UTC)  # a patient created in the PMS long ago, sent today: kept
    with Session(engine) as session, session.begin():
        for ref, received in (("kept", now - timedelta(days=1)), ("gone", now - timedelta(days=31))):
            session.add(PatientIndexRow(org="o", integration_id="i", patient_ref=ref, clinic_id="1",
                                        occurred_at=old_record, received_at=received, sequence=1))
    assert purge_before(engine, now - timedelta(days=30)) == 1
    with Session(engine) as session:
        assert [r.patient_ref for r in session.exec(select(PatientIndexRow)).all()] == ["kept"]
