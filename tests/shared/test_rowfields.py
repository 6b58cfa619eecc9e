"""JSON list and dict columns: every row starts with its own empty value, stored and read back as JSON."""

from __future__ import annotations

import inspect
from typing import Any

from sqlmodel import Field, Session, SQLModel, create_engine

from shared.rowfields import json_dict, json_list


class Bag(SQLModel, table=True):
    __tablename__ = "test_rowfields_bag"

    id: str = Field(primary_key=True)
    items: list[Any] = json_list()
    labels: dict[str, Any] = json_dict()


def test_each_row_gets_its_own_empty_list_and_dict() -> None:
    first, second = Bag(id="a"), Bag(id="b")
    assert (first.items, first.labels) == ([], {})
    first.items.append(1)
    first.labels["x"] = 1
    assert (second.items, second.labels) == ([], {})
    assert Bag(id="c", items=[2]).items == [2]


def test_the_factories_state_their_signature_so_pydantic_need_not_parse_one() -> None:
    for name in ("items", "labels"):
        factory = Bag.model_fields[name].default_factory
        assert factory is not None and factory not in (list, dict)
        assert inspect.signature(factory).parameters == {}
        assert Bag.model_fields[name].default_factory_takes_validated_data is False


def test_the_values_round_trip_through_the_database() -> None:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine, tables=[Bag.__table__])  # type: ignore[list-item]
    with Session(engine) as session:
        session.add(Bag(id="a", items=[1, "two"], labels={"k": [3]}))
        session.add(Bag(id="b"))
        session.commit()
    with Session(engine) as session:
        a, b = session.get(Bag, "a"), session.get(Bag, "b")
        assert a is not None and b is not None
        assert (a.items, a.labels, b.items, b.labels) == ([1, "two"], {"k": [3]}, [], {})
