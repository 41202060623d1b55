"""Helpers shared by the command-line modules: parsing comma lists and printing tables."""

from __future__ import annotations

import json
import math

import pandas as pd

from ..errors import InputError


def chemistry_ids(text: str) -> list[str]:
    """Chemistry ids from ``"ncm811,lfp"`` or ``"all"``."""
    from ..chemistry.cell import chemistries

    return chemistries() if text == "all" else [c.strip() for c in text.split(",") if c.strip()]


def numbers(field: str, text: str) -> list[float]:
    """Numbers from ``"25,-7"``; an InputError naming ``field`` otherwise."""
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InputError(f"{field}={text!r} must be numbers separated by commas") from None
    if not values:
        raise InputError(f"{field}={text!r}: give at least one number")
    return values


def emit(table: pd.DataFrame, as_json: bool) -> None:
    """Print ``table`` as text, or as JSON records (NaN written as null)."""
    if as_json:
        records = table.to_dict(orient="records")
        clean = [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                  for k, v in r.items()} for r in records]
        print(json.dumps(clean, indent=2, default=float))
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
