"""The main job: one table comparing the shipped chemistries, plus its figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..chemistry.cell import Cell, chemistries
from .discharge import DischargeResult, discharge


@dataclass
class Comparison:
    """A comparison table (one row per chemistry) and the discharge curves behind it."""

    table: pd.DataFrame
    discharges: list[DischargeResult] = field(default_factory=list, repr=False)


def compare_chemistries(
    chemistry_ids: list[str] | None = None,
    *,
    c_rates: tuple[float, ...] = (0.2, 1.0),
    cold_C: float = 0.0,
    model: str = "DFN",
) -> Comparison:
    """Compare cells: capacity, energy, mass, volume, Wh/kg, Wh/L and rate/cold capability.

    Parameters
    ----------
    chemistry_ids
        Chemistries to compare (default: all shipped ones).
    c_rates
        Discharge rates at 25 °C; each adds a ``capacity_<c>C_Ah`` column.
    cold_C
        Temperature of an extra 1C discharge (``capacity_1C_<cold>C_Ah`` column).
    model
        PyBaMM model of the discharges.
    """
    rows, curves = [], []
    for chemistry in chemistry_ids or chemistries():
        cell = Cell.from_chemistry(chemistry)
        row = cell.summary()
        for c_rate in c_rates:
            result = discharge(cell, c_rate, 25.0, model=model)
            curves.append(result)
            row[f"capacity_{c_rate:g}C_Ah"] = result.capacity_Ah
            row[f"mean_voltage_{c_rate:g}C_V"] = result.mean_voltage_V
        cold = discharge(cell, 1.0, cold_C, model=model)
        curves.append(cold)
        row[f"capacity_1C_{cold_C:g}C_Ah"] = cold.capacity_Ah
        rows.append(row)
    return Comparison(table=pd.DataFrame(rows), discharges=curves)
