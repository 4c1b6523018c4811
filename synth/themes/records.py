"""Plain records the theme engine takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ThemeInput:
    statement_id: int
    text: str
    keyphrases: tuple[str, ...]
    partner: str | None = None  # who raised it: a theme needs several different partners


@dataclass
class Theme:
    id: int
    label: str
    description: str
    keywords: list[str]
    quotes: list[int]  # statement ids
    area: str
    centroid: np.ndarray
    members: list[int] = field(default_factory=list)


@dataclass
class FitResult:
    themes: list[Theme]
    assignment: dict[int, tuple[int | None, float]]  # statement id -> (theme id or None, similarity)
    params: dict


