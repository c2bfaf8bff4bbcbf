"""An equivalent pydantic v2 model of the report, built from the same field specs (for comparison only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from gongkai_model import AnnualReport
from gongkai_model.model import Value, field_specs
from gongkai_model.model.tables import ApplicantCounts, Applications

STRICT = ConfigDict(extra="forbid", strict=True)


class PAmount(BaseModel):
    model_config = STRICT
    value: Annotated[Decimal, Field(ge=0)]
    unit: Literal["元", "万元"] | None


LEAF: dict[Value, Any] = {
    Value.COUNT: (Annotated[int | None, Field(ge=0)], ...),
    Value.SIGNED: (int | None, ...),
    Value.YEAR: (Annotated[int, Field(ge=2008)], ...),
    Value.MONEY: (Annotated[Decimal | None, Field(ge=0)], ...),
    Value.TEXT: (str | None, ...),
    Value.DATE: (dt.date | None, ...),
    Value.AMOUNT: (PAmount | None, ...),
}

_models: dict[type, type[BaseModel]] = {}


def model_of(cls: type) -> type[BaseModel]:
    if cls in _models:
        return _models[cls]
    fields: dict[str, Any] = {}
    for info in field_specs(cls):
        if info.spec.value is Value.NODE:
            types = tuple(model_of(t) for t in info.types)
            fields[info.name] = (types[0] if len(types) == 1 else Union[types], ...)  # noqa: UP007
        elif cls is ApplicantCounts and info.spec.total == "header":
            fields[info.name] = (Annotated[int | None, Field(ge=0)], None)  # only in the 8-column layout
        elif info.spec.required and info.spec.value is Value.TEXT:
            fields[info.name] = (str, ...)
        else:
            fields[info.name] = LEAF[info.spec.value]
    if cls is Applications:
        fields["subtotal_column"] = (bool, ...)
    if cls is AnnualReport:
        fields["schema_version"] = (Literal[1], ...)
        fields["edition"] = (Literal["2019", "2021"], ...)
    model = create_model(f"P{cls.__name__}", __config__=STRICT, **fields)
    _models[cls] = model
    return model


PReport = model_of(AnnualReport)
