"""Discovery, declared once: the category list and the health check's two answers."""

from __future__ import annotations

from typing import Any, Literal

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


class OpenApiDocument(BaseModel):
    """GET /api/v1/openapi.json: an OpenAPI 3.1 document (its parts as OpenAPI defines them)."""

    model_config = ConfigDict(extra="allow")

    openapi: Literal["3.1.0"]
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]
