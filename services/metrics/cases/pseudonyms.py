"""Pseudonymous patient keys: an HMAC of the patient's identifiers under a per-org key.

Events never carry names or birth dates; the same patient at the same org always gets the same
key (so cases can be matched), and a key means nothing without the secret. The per-org key is
derived from the service's secret, so no org can compute another org's keys.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date

from shared.errors import DomainError

PATIENT_KEY_FILE = "metrics-patient-key"  # under var/keys/ when METRICS_PATIENT_KEY_SECRET is unset


def org_key(secret: bytes, org: str) -> bytes:
    return hmac.new(secret, f"dso-patient-key:{org}".encode(), hashlib.sha256).digest()


def normalised(text: str) -> str:
    """Case, accents and spacing folded: the form names and chart numbers are compared in."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().split())


def identity(*, chart_number: str | None, last_name: str | None, first_name: str | None,
             birth_date: date | None) -> str:
    """What the key is computed from: the chart number when known, else name and date of birth."""
    if chart_number and chart_number.strip():
        return f"chart:{chart_number.strip()}"
    if last_name and first_name and birth_date:
        return f"person:{normalised(last_name)}|{normalised(first_name)}|{birth_date.isoformat()}"
    raise DomainError("patient needs a chart_number, or last_name, first_name and birth_date", field="patient")


def patient_key(key: bytes, identity_text: str) -> str:
    return hmac.new(key, identity_text.encode(), hashlib.sha256).hexdigest()
