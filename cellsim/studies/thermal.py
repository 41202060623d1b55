"""Thermal scenarios: hot aggressive driving, cold range, and DC fast charging with cooling.

* :func:`us06_peak_temperature` — peak cell temperature driving US06 (EPA's aggressive
  supplemental cycle) again and again from full at 35 °C until the pack is empty or cannot
  deliver the power (the range test's stopping rule), with the lumped thermal model.
* :func:`cold_range` — range on a cycle at 25 °C, −7 °C (EPA cold FTP temperature, 20 °F) and
  −20 °C; the cells start soaked at the ambient; the vehicle's HVAC load depends on it.
* :func:`fast_charge_cooling` — DC fast charge 10 → 80 % with a cooling model (coolant
  temperature and h·A, see :mod:`cellsim.studies.fast_charge`) for several coolant settings.
* :func:`thermal_scenarios` — all three for one pack, as one flat dict.

The lumped thermal model is the fast engine's: one temperature per cell,
``ρc_p V dT/dt = Q_ohmic + Q_reaction + Q_reversible − h·A·(T − T_amb)``, ``h`` and ``A`` from
the parameter set unless ``h_W_per_m2K`` is given. The pack's own thermal mass and its cooling
system between cells and air are not modelled; a cooled pack is represented by ``h`` and the
coolant temperature.
"""

from __future__ import annotations

import math

import pandas as pd

from ..validation import check_number
from .fast_charge import fast_charge
from .range_test import range_test

COLD_AMBIENTS_C = (25.0, -7.0, -20.0)


def us06_peak_temperature(pack, vehicle, ambient_C: float = 35.0, *, start_soc: float = 1.0,
                          h_W_per_m2K: float | None = None, engine: str = "fast") -> dict:
    """Peak cell temperature on repeated US06 from ``start_soc`` at ``ambient_C`` until empty.

    Returns ``peak_temperature_C``, ``temperature_rise_K``, ``range_km``, ``end_reason`` and the
    temperature after the first US06 (``temperature_after_one_cycle_C``).
    """
    ambient_C = check_number("ambient_C", ambient_C, low=-30, high=50)
    result = range_test(pack, vehicle, "us06", ambient_C=ambient_C, start_soc=start_soc,
                        engine=engine, h_W_per_m2K=h_W_per_m2K)
    first = result.cycles.iloc[0]
    return {
        "chemistry": getattr(pack.cell, "chemistry", "cell"),
        "ambient_C": ambient_C,
        "peak_temperature_C": result.peak_temperature_C,
        "temperature_rise_K": result.peak_temperature_C - ambient_C,
        "temperature_after_one_cycle_C": float(first["peak_temperature_C"]),
        "range_km": result.range_km,
        "end_reason": result.end_reason,
        "data": result.data[["time_s", "distance_km", "soc", "temperature_C", "power_W"]],
    }


def cold_range(pack, vehicle, ambients_C: tuple[float, ...] = COLD_AMBIENTS_C, *,
               cycle: str = "wltc_class3b", start_soc: float = 1.0,
               h_W_per_m2K: float | None = None, engine: str = "fast") -> pd.DataFrame:
    """Range on ``cycle`` at each ambient, with its share of the 25 °C range (if 25 is in it)."""
    rows = []
    for ambient_C in ambients_C:
        result = range_test(pack, vehicle, cycle, ambient_C=ambient_C, start_soc=start_soc,
                            engine=engine, h_W_per_m2K=h_W_per_m2K)
        rows.append({"chemistry": getattr(pack.cell, "chemistry", "cell"), "cycle": cycle,
                     "ambient_C": ambient_C, "range_km": result.range_km,
                     "consumption_Wh_per_km": result.consumption_Wh_per_km,
                     "energy_delivered_kWh": result.energy_delivered_kWh,
                     "end_reason": result.end_reason,
                     "min_temperature_C": float(result.data["temperature_C"].min()),
                     "final_temperature_C": float(result.data["temperature_C"].iloc[-1])})
    table = pd.DataFrame(rows)
    warm = table.loc[table["ambient_C"] == 25.0, "range_km"]
    table["range_share_of_25C"] = table["range_km"] / float(warm.iloc[0]) if len(warm) else math.nan
    return table


def fast_charge_cooling(pack, charger_kW: float = 150.0, *, ambient_C: float = 25.0,
                        cooling: tuple[tuple[float | None, float | None], ...] = (
                            (None, None), (25.0, 50.0), (15.0, 200.0)),
                        start_soc: float = 0.1, end_soc: float = 0.8):
    """Fast charge with several ``(coolant_C, h_W_per_m2K)`` settings (``None``: the ambient
    and the parameter set's h). Returns the summary table and the results."""
    results = [fast_charge(pack, charger_kW, start_soc, end_soc, ambient_C, coolant_C=coolant,
                           h_W_per_m2K=h) for coolant, h in cooling]
    rows = []
    for (coolant, h), r in zip(cooling, results, strict=True):
        rows.append({**r.summary(), "h_W_per_m2K": h if h is not None else
                     float(pack.cell.parameter_values["Total heat transfer coefficient "
                                                      "[W.m-2.K-1]"]),
                     "cooling": "natural (parameter set)" if h is None else "coolant"})
    return pd.DataFrame(rows), results


def thermal_scenarios(pack, vehicle, *, charger_kW: float = 150.0, coolant_C: float = 25.0,
                      h_W_per_m2K: float = 50.0) -> dict:
    """The issue's three thermal scenarios for one pack, as one flat dict of scalars."""
    us06 = us06_peak_temperature(pack, vehicle, 35.0)
    cold = cold_range(pack, vehicle)
    charge = fast_charge(pack, charger_kW, 0.1, 0.8, 25.0, coolant_C=coolant_C,
                         h_W_per_m2K=h_W_per_m2K)
    by_ambient = cold.set_index("ambient_C")["range_km"]
    return {
        "chemistry": getattr(pack.cell, "chemistry", "cell"),
        "peak_temperature_us06_35C_C": us06["peak_temperature_C"],
        "range_25C_km": float(by_ambient[25.0]),
        "range_m7C_km": float(by_ambient[-7.0]),
        "range_m20C_km": float(by_ambient[-20.0]),
        f"fast_charge_10_80_{charger_kW:g}kW_min": charge.time_min,
        "fast_charge_peak_temperature_C": charge.peak_temperature_C,
        "fast_charge_plated_Ah": charge.plated_Ah,
    }
