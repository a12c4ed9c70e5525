"""How each field of an archived model travels: plain values as JSON, foreign keys as source ids
(people by username), files as a path inside the archive."""
from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from ..models import Review

VALUE, USER, REVIEW, REF, FILE = "value", "user", "review", "ref", "file"


@dataclass(frozen=True)
class FieldPlan:
    field: models.Field
    kind: str
    target: str = ""  # the label of the model a REF points to

    @property
    def name(self) -> str:
        return self.field.name


@cache  # models do not change while the site runs
def plan(model: type[models.Model]) -> tuple[FieldPlan, ...]:
    user_model = get_user_model()
    out = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.is_relation:
            target = field.related_model
            if target is user_model:
                out.append(FieldPlan(field, USER))
            elif target is Review:
                out.append(FieldPlan(field, REVIEW))
            else:
                out.append(FieldPlan(field, REF, target._meta.label))
        elif isinstance(field, models.FileField):
            out.append(FieldPlan(field, FILE))
        else:
            out.append(FieldPlan(field, VALUE))
    return tuple(out)


def json_value(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value
