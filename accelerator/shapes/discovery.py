"""Discovery, declared once: the category list and the health check's two answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from accelerator.shapes.values import Category


class ProductCategory(BaseModel):
    """One product category: its code (what the API takes) and its display name."""

    model_config = ConfigDict(extra="forbid")

    code: Category
    name: str


class Health(BaseModel):
    """GET /healthz when the database answers."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ok"]


class HealthUnavailable(BaseModel):
    """GET /healthz when the database does not answer (503)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["unavailable"]
