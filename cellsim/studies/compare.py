"""The main job: one table comparing the shipped chemistries, plus its figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..chemistry.cell import Cell, chemistries
from ..load.pack import Pack
from ..load.vehicle import Vehicle
from .abuse import arc_summary
from .discharge import DischargeResult, discharge
from .lifetime import lifetime_columns
from .range_test import range_test


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
    pack_kWh: float = 75.0,
    pack_voltage_V: float = 400.0,
    range_cycle: str = "wltc_class3b",
    range_ambients_C: tuple[float, ...] = (25.0, -7.0),
) -> Comparison:
    """Compare cells: capacity, energy, mass, volume, Wh/kg, Wh/L, rate and cold capability,
    WLTC range at 25 and −7 °C, SOH after 8 years, DC fast-charge time and peak temperatures,
    ARC onset / trigger / maximum temperatures (T1, T2, T3) at 100 % SOC.

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
    pack_kWh, pack_voltage_V
        Size of the pack each chemistry gets for the range columns (default vehicle).
    range_cycle, range_ambients_C
        Drive cycle and ambient temperatures of the ``range_<T>C_km`` columns (fast engine).
    """
    vehicle = Vehicle.default()
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
        pack = Pack.sized(cell, energy_kWh=pack_kWh, voltage_V=pack_voltage_V)
        row["pack_mass_kg"] = pack.mass_kg
        row["pack_volume_L"] = pack.volume_L
        for ambient_C in range_ambients_C:
            result = range_test(pack, vehicle, range_cycle, ambient_C=ambient_C)
            row[f"range_{ambient_C:g}C_km"] = result.range_km
            row[f"consumption_{ambient_C:g}C_Wh_per_km"] = result.consumption_Wh_per_km
        row.update(lifetime_columns(pack, vehicle))
        row.update(arc_summary(cell))
        rows.append(row)
    return Comparison(table=pd.DataFrame(rows), discharges=curves)
