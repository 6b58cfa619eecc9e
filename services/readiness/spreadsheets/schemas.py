"""Spreadsheet bodies: the readiness matrix and the CSV import report."""

from __future__ import annotations

from pydantic import BaseModel


class MatrixRow(BaseModel):
    location_id: str
    name: str
    region: str
    program_id: str | None = None
    it_infrastructure: int | None
    staff_adaptability: int | None
    patient_volume: int | None
    tech_stack: int | None
    champion: int | None
    composite: int | None
    level: str | None
    recommended_wave: str | None
    method: str | None = None


class Matrix(BaseModel):
    """One page of the matrix; pass `next_cursor` as `cursor` for the next (null: no more)."""

    rows: list[MatrixRow]
    next_cursor: str | None = None


class Imported(BaseModel):
    line: int
    location_id: str
    name: str
    composite: int | None


class ImportReport(BaseModel):
    imported: int
    locations: list[Imported]
