"""EV range: repeat a drive cycle from a start SOC until the pack cannot deliver the power.

The vehicle turns the speed trace into pack DC power (one value per second); the pack divides it
among its identical cells; an engine runs one cell with lumped thermal, cycle after cycle, each
continuing from the last state. The range ends inside the first second whose demand the cell
cannot deliver above its cut-off voltage, where the voltage reaches the cut-off (both engines stop
there); distance and demanded energy count the part of that second.

Two procedures:

* :func:`range_test` — a single cycle repeated (the WLTP way, with ``"wltc_class3b"``);
* :func:`epa_combined_range` — city (UDDS) and highway (HWFET) ranges weighted 55 % / 45 %,
  optionally × 0.7 for the 5-cycle label adjustment (US EPA, 40 CFR 600.210-12 and
  600.116-12; SAE J1634 multi-cycle test).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..engine.registry import get_engine
from ..errors import InputError
from ..load.drive_cycle import DriveCycle
from ..validation import check_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

AMBIENT_RANGE_C = (-30.0, 50.0)
# Below this SOC a failure to deliver the demanded power counts as an empty pack; above it the
# pack ran out of power, not energy (``power_limited``).
EMPTY_SOC = 0.10
EPA_CITY_WEIGHT = 0.55  # 40 CFR 600.210-12: 55 % city (UDDS) / 45 % highway (HWFET)
EPA_LABEL_ADJUSTMENT = 0.7  # 40 CFR 600.116-12(a): optional derived 5-cycle factor for BEVs


@dataclass
class RangeResult:
    """Result of a range test.

    Attributes
    ----------
    range_km
        Distance driven until the pack could not deliver the demanded power.
    consumption_Wh_per_km
        DC energy out of the pack (net of regeneration) per km.
    energy_delivered_kWh, regen_energy_kWh
        Net DC energy delivered by the pack, and energy returned to it by braking.
    demanded_energy_kWh
        Net energy the vehicle asked of the pack over the same time.
    final_soc, min_voltage_V, peak_temperature_C
        Cell SOC at the end, lowest cell voltage, highest cell temperature.
    power_limited, power_limited_time_s
        True if the run ended with the pack still above ``EMPTY_SOC`` (it ran out of power, not
        energy), and when the demand was first missed (the end of the run).
    end_reason
        ``"empty"``, ``"power_limited"`` or ``"max_cycles"``.
    chemistry
        The cell's chemistry id (the colour of its line in figures).
    cycles
        One row per (possibly partial) cycle: distance, energies, SOC, voltages, temperature.
    data
        Time series: ``time_s, speed_kmh, distance_km, power_demand_W, power_W`` (pack) and
        ``voltage_V, current_A, soc, temperature_C`` (cell).
    """

    range_km: float
    consumption_Wh_per_km: float
    energy_delivered_kWh: float
    regen_energy_kWh: float
    demanded_energy_kWh: float
    final_soc: float
    min_voltage_V: float
    peak_temperature_C: float
    power_limited: bool
    power_limited_time_s: float | None
    end_reason: str
    cycle_name: str
    ambient_C: float
    engine: str
    cycles: pd.DataFrame = field(repr=False)
    data: pd.DataFrame = field(repr=False)
    chemistry: str = "cell"

    def plot(self) -> Figure:
        """SOC and cell temperature against distance (delegates to
        :func:`cellsim.presentation.plots.plot_range`, imported here so the plotting code lives
        in the presentation layer)."""
        from ..presentation.plots import plot_range

        return plot_range([self])

    def summary(self) -> dict[str, float | str | bool | None]:
        """Scalar results as a flat dict (the CLI's ``--json`` fields)."""
        names = (
            "range_km", "consumption_Wh_per_km", "energy_delivered_kWh", "regen_energy_kWh",
            "demanded_energy_kWh", "final_soc", "min_voltage_V", "peak_temperature_C",
            "power_limited", "power_limited_time_s", "end_reason", "cycle_name", "ambient_C",
            "engine",
        )
        return {name: getattr(self, name) for name in names}


def range_test(
    pack,
    vehicle,
    cycle: DriveCycle | str,
    ambient_C: float = 25.0,
    start_soc: float = 1.0,
    engine: str = "fast",
    model: str = "SPMe",
    *,
    h_W_per_m2K: float | None = None,
    include_pack_mass: bool = True,
    max_cycles: int | None = None,
) -> RangeResult:
    """Drive ``cycle`` again and again until the pack cannot deliver the demanded power.

    Parameters
    ----------
    pack
        A :class:`~cellsim.Pack`.
    vehicle
        A :class:`~cellsim.Vehicle` (without its battery).
    cycle
        A :class:`~cellsim.DriveCycle` or a standard cycle name (``"wltc_class3b"``).
    ambient_C
        Ambient temperature, −30 to 50 °C; the cells start at it (lumped thermal).
    start_soc
        SOC at the start, in (0, 1].
    engine
        ``"fast"`` (numba SPMe, default) or ``"pybamm"`` (reference).
    model
        PyBaMM model for the reference engine (the fast engine runs SPMe).
    h_W_per_m2K
        Heat transfer coefficient between cell and surroundings (cooling); ``None`` keeps the
        parameter set's.
    include_pack_mass
        Add the pack mass to the vehicle mass (default), so heavier packs cost energy.
    max_cycles
        Upper bound on repetitions (default: enough for twice the pack energy).
    """
    ambient_C = check_number("ambient_C", ambient_C, low=AMBIENT_RANGE_C[0], high=AMBIENT_RANGE_C[1])
    start_soc = check_number("start_soc", start_soc, low=0, high=1, low_inclusive=False)
    if isinstance(cycle, str):
        cycle = DriveCycle.standard(cycle)
    cycle = cycle.resample(1.0)
    demand = vehicle.power_demand(
        cycle, battery_mass_kg=pack.mass_kg if include_pack_mass else 0.0, ambient_C=ambient_C
    )
    pack_power_W = demand.battery_power_W
    cycle_energy_Wh = float(pack_power_W.sum()) / 3600
    if cycle_energy_Wh <= 0:
        raise InputError(f"cycle={cycle.name!r} demands no net energy; it cannot end a range test")
    if max_cycles is None:
        max_cycles = math.ceil(2 * pack.energy_kWh * 1e3 * start_soc / cycle_energy_Wh) + 1
    runner = get_engine(engine)
    sim = runner.start(
        pack.cell, soc=start_soc, ambient_C=ambient_C, model=model, thermal="lumped",
        h_W_per_m2K=h_W_per_m2K,
    )
    cell_power_W = pack.per_cell_power_W(pack_power_W)
    cumulative_km = np.concatenate([[0.0], np.cumsum(demand.speed_kmh / 3600)])
    cumulative_demand_J = np.concatenate([[0.0], np.cumsum(pack_power_W)])
    cumulative_regen_J = np.concatenate([[0.0], np.cumsum(demand.regen_power_W)])
    rows, frames = [], []
    time_offset_s = 0.0
    end_reason = "max_cycles"
    limited_at_s = None
    for index in range(max_cycles):
        segment = sim.power(cell_power_W, dt_s=1.0)
        trace = segment.trace
        # the engines stop inside the second where the cut-off is reached
        stop_s = float(trace.time_s[-1]) if segment.stop_reason else float(len(cell_power_W))
        frame = trace.to_frame()
        frame["time_s"] += time_offset_s
        step = np.minimum((trace.time_s).astype(int), len(pack_power_W) - 1)
        frame["speed_kmh"] = demand.speed_kmh[step]
        frame["distance_km"] = np.interp(trace.time_s, np.arange(len(cumulative_km)), cumulative_km)
        frame["power_demand_W"] = pack_power_W[step]
        frame["power_W"] = trace.power_W * pack.n_cells
        frame["voltage_V"] = trace.voltage_V
        frames.append(frame)
        delivered_Wh = float(np.trapezoid(trace.power_W, trace.time_s)) * pack.n_cells / 3600
        rows.append(
            {
                "cycle": index + 1,
                "distance_km": _until(cumulative_km, stop_s),
                "duration_s": stop_s,
                "energy_delivered_Wh": delivered_Wh,
                "energy_demanded_Wh": _until(cumulative_demand_J, stop_s) / 3600,
                "regen_energy_Wh": _until(cumulative_regen_J, stop_s) / 3600,
                "end_soc": float(trace.soc[-1]),
                "min_voltage_V": float(trace.voltage_V.min()),
                "peak_temperature_C": float(trace.temperature_C.max()),
                "complete": segment.stop_reason is None,
            }
        )
        if segment.stop_reason is not None:
            limited_at_s = time_offset_s + stop_s
            end_reason = "power_limited" if sim.soc > EMPTY_SOC else "empty"
            break
        time_offset_s += len(cell_power_W)
    cycles = pd.DataFrame(rows)
    data = pd.concat(frames, ignore_index=True)
    offsets = np.concatenate([[0.0], cycles["distance_km"].cumsum().to_numpy()[:-1]])
    data["distance_km"] += np.repeat(offsets, [len(f) for f in frames])
    range_km = float(cycles["distance_km"].sum())
    delivered_kWh = float(cycles["energy_delivered_Wh"].sum()) / 1e3
    return RangeResult(
        range_km=range_km,
        consumption_Wh_per_km=delivered_kWh * 1e3 / range_km if range_km > 0 else math.inf,
        energy_delivered_kWh=delivered_kWh,
        regen_energy_kWh=float(cycles["regen_energy_Wh"].sum()) / 1e3,
        demanded_energy_kWh=float(cycles["energy_demanded_Wh"].sum()) / 1e3,
        final_soc=float(sim.soc),
        min_voltage_V=float(cycles["min_voltage_V"].min()),
        peak_temperature_C=float(cycles["peak_temperature_C"].max()),
        power_limited=end_reason == "power_limited",
        power_limited_time_s=limited_at_s if end_reason == "power_limited" else None,
        end_reason=end_reason,
        cycle_name=cycle.name,
        ambient_C=ambient_C,
        engine=runner.name,
        cycles=cycles,
        data=data,
        chemistry=getattr(pack.cell, "chemistry", "cell"),
    )


def _until(cumulative: np.ndarray, time_s: float) -> float:
    """A per-second cumulative sum (``cumulative[k]``: the total over the first ``k`` seconds)
    at ``time_s``, which may fall inside a second (linear in it: the power is held over each
    second)."""
    return float(np.interp(time_s, np.arange(cumulative.size), cumulative))


@dataclass
class EpaCombinedResult:
    """EPA combined range: city and highway range tests weighted 55 % / 45 %."""

    range_km: float
    consumption_Wh_per_km: float
    label_adjusted: bool
    city: RangeResult = field(repr=False)
    highway: RangeResult = field(repr=False)

    def summary(self) -> dict[str, float | bool]:
        """Scalar results as a flat dict."""
        return {
            "range_km": self.range_km,
            "consumption_Wh_per_km": self.consumption_Wh_per_km,
            "label_adjusted": self.label_adjusted,
            "city_range_km": self.city.range_km,
            "highway_range_km": self.highway.range_km,
        }

    def plot(self) -> Figure:
        """The city and highway range tests (delegates to
        :func:`cellsim.presentation.plots.plot_range`)."""
        from ..presentation.plots import plot_range

        return plot_range([self.city, self.highway])


def epa_combined_range(
    pack,
    vehicle,
    ambient_C: float = 25.0,
    start_soc: float = 1.0,
    engine: str = "fast",
    model: str = "SPMe",
    *,
    label_adjustment: bool = False,
    **options,
) -> EpaCombinedResult:
    """EPA-style combined range: 0.55·UDDS range + 0.45·HWFET range (consumption alike).

    With ``label_adjustment`` the range is multiplied (and consumption divided) by 0.7, the
    optional derived 5-cycle adjustment of 40 CFR 600.116-12. Consumption is DC at the pack,
    not at the wall (no charging losses). ``options`` go to :func:`range_test`.
    """
    city = range_test(pack, vehicle, "udds", ambient_C, start_soc, engine, model, **options)
    highway = range_test(pack, vehicle, "hwfet", ambient_C, start_soc, engine, model, **options)
    factor = EPA_LABEL_ADJUSTMENT if label_adjustment else 1.0
    weights = (EPA_CITY_WEIGHT, 1 - EPA_CITY_WEIGHT)
    range_km = weights[0] * city.range_km + weights[1] * highway.range_km
    consumption = weights[0] * city.consumption_Wh_per_km + weights[1] * highway.consumption_Wh_per_km
    return EpaCombinedResult(
        range_km=range_km * factor,
        consumption_Wh_per_km=consumption / factor,
        label_adjusted=label_adjustment,
        city=city,
        highway=highway,
    )
