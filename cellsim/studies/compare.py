"""The main job: one table comparing chemistries in the same car, plus its figures.

Every chemistry gets a pack for the default vehicle (:meth:`~cellsim.Vehicle.default`) on one
of three bases:

``"energy"``
    equal pack energy: 75 kWh at ~400 V (:meth:`~cellsim.Pack.sized`). The ranges come out
    nearly equal; what differs is the pack's mass and volume.
``"volume"``
    equal pack volume, the same car platform: the volume of the reference pack, the 75 kWh,
    400 V ``ncm811`` pack (LG M50 cells with the cell-to-pack volume ratio of its parameter
    file), filled with each chemistry's cells (:meth:`~cellsim.Pack.filled`). The range then
    shows the pack-level energy density.
``"mass"``
    equal pack mass: the mass of the same reference pack, filled alike.

The reference is the ncm811 pack so the ncm811 row is the same on every basis and ranges
compare with the equal-energy basis (assumption: a 75 kWh pack of LG M50-class cells is the
platform; ``pack_kWh`` and ``pack_voltage_V`` change it).

Thresholds not reached within the simulated horizon (``year_80``: years to 80 % state of
health) are NaN in :attr:`Comparison.table`, the numeric table for programs; every form meant
for reading — :meth:`Comparison.formatted`, the CSV and JSON of ``cellsim compare`` and
:meth:`Comparison.plot` — shows them as ``"> 8 y"`` (the horizon).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..chemistry.cell import Cell
from ..chemistry.cell import chemistries as shipped_chemistries
from ..errors import InputError
from ..load.pack import Pack
from ..load.vehicle import Vehicle
from .abuse import arc_summary
from .discharge import DischargeResult, discharge
from .lifetime import lifetime_columns
from .range_test import range_test

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BASES = ("energy", "volume", "mass")
REFERENCE_CHEMISTRY = "ncm811"
YEAR_COLUMNS = ("year_80",)


@dataclass
class Comparison:
    """A comparison of chemistries (one row each) and the discharge curves behind it.

    Attributes
    ----------
    table
        Numeric table, one row per chemistry: the cell (``nominal_capacity_Ah``,
        ``specific_energy_Wh_per_kg``, ``energy_density_Wh_per_L``, …), discharge capacities,
        the pack (``pack_energy_kWh``, ``pack_mass_kg``, ``pack_volume_L``,
        ``pack_voltage_V``), the ranges (``range_25C_km``, ``range_-7C_km``) and consumptions,
        ``soh_8y``, ``year_80`` (NaN: 80 % not reached in ``lifetime_years``), fast-charge time
        and peak temperatures.
    basis
        ``"energy"``, ``"volume"`` or ``"mass"`` (module docstring).
    reference
        What every pack has in common: ``{"pack_energy_kWh": 75.0}``, ``{"pack_volume_L": …}``
        or ``{"pack_mass_kg": …}``.
    lifetime_years
        Horizon of the lifetime columns.
    discharges
        The discharge curves (25 °C at each C-rate, then 1C cold) of every chemistry.
    """

    table: pd.DataFrame
    basis: str
    reference: dict[str, float]
    lifetime_years: float
    discharges: list[DischargeResult] = field(default_factory=list, repr=False)

    def formatted(self) -> pd.DataFrame:
        """The table for reading: thresholds not reached shown as ``"> 8 y"`` (never NaN),
        reached ones in years, e.g. ``"6.4 y"``, ``"n/a"`` where the lifetime run failed
        (its SOH is NaN too); other columns as in :attr:`table`."""
        table = self.table.copy()
        failed = table[f"soh_{self.lifetime_years:g}y"].isna()
        for column in YEAR_COLUMNS:
            table[column] = ["n/a" if bad else self.years_text(v)
                             for v, bad in zip(table[column], failed)]
        return table

    def years_text(self, years: float) -> str:
        """``"> 8 y"`` for a threshold not reached in the horizon (NaN), else ``"6.4 y"``."""
        if years is None or math.isnan(years):
            return f"> {self.lifetime_years:g} y"
        return f"{years:.1f} y"

    def plot(self) -> Figure:
        """The comparison chart (delegates to
        :func:`cellsim.presentation.comparison_plot.plot_comparison`, imported here so the
        plotting code lives in the presentation layer)."""
        from ..presentation.comparison_plot import plot_comparison

        return plot_comparison(self)

    def plot_discharges(self) -> Figure:
        """The discharge curves, one panel per chemistry (delegates to
        :func:`cellsim.presentation.plots.plot_discharge`)."""
        from ..presentation.plots import plot_discharge

        return plot_discharge(self.discharges)


def compare(
    chemistries: Sequence[str | Cell] | None = None,
    *,
    basis: str = "energy",
    c_rates: tuple[float, ...] = (0.2, 1.0),
    cold_C: float = 0.0,
    model: str = "DFN",
    pack_kWh: float = 75.0,
    pack_voltage_V: float = 400.0,
    range_cycle: str = "wltc_class3b",
    range_ambients_C: tuple[float, ...] = (25.0, -7.0),
    lifetime_years: float = 8.0,
) -> Comparison:
    """Compare chemistries in the same car: capacity, Wh/kg, Wh/L, rate and cold capability,
    the pack, WLTC range at 25 and −7 °C, SOH after 8 years, DC fast-charge time and peak
    temperatures, ARC onset / trigger / maximum temperatures (T1, T2, T3) at 100 % SOC.

    Parameters
    ----------
    chemistries
        Chemistry ids or :class:`~cellsim.Cell` objects (default: all shipped chemistries).
    basis
        What the packs have in common: ``"energy"`` (equal kWh), ``"volume"`` (equal litres,
        the same car platform) or ``"mass"`` (equal kg); see the module docstring.
    c_rates
        Discharge rates at 25 °C; each adds ``capacity_<c>C_Ah`` and ``mean_voltage_<c>C_V``.
    cold_C
        Temperature of an extra 1C discharge (``capacity_1C_<cold>C_Ah`` column).
    model
        PyBaMM model of the discharges (``"SPM"``, ``"SPMe"``, ``"DFN"``).
    pack_kWh, pack_voltage_V
        The reference pack: energy of every pack (``basis="energy"``), or the ncm811 pack
        whose volume or mass every pack gets.
    range_cycle, range_ambients_C
        Drive cycle and ambient temperatures of the ``range_<T>C_km`` columns (fast engine).
    lifetime_years
        Horizon of the ``soh_<N>y`` and ``year_80`` columns.

    Raises
    ------
    InputError
        For an unknown basis or chemistry, naming the value and what is allowed.
    """
    if basis not in BASES:
        raise InputError(f"basis={basis!r} is not allowed; allowed: {', '.join(BASES)}")
    if isinstance(chemistries, (str, Cell)):
        raise InputError(f"chemistries={chemistries!r} must be a list, e.g. ['ncm811', 'lfp']")
    cells = [c if isinstance(c, Cell) else Cell.from_chemistry(c)
             for c in (chemistries or shipped_chemistries())]
    if not cells:
        raise InputError("chemistries=[] is empty; give at least one chemistry")
    reference = _reference(basis, pack_kWh, pack_voltage_V)
    vehicle = Vehicle.default()
    rows, curves = [], []
    for cell in cells:
        row = cell.summary()
        for c_rate in c_rates:
            result = discharge(cell, c_rate, 25.0, model=model)
            curves.append(result)
            row[f"capacity_{c_rate:g}C_Ah"] = result.capacity_Ah
            row[f"mean_voltage_{c_rate:g}C_V"] = result.mean_voltage_V
        cold = discharge(cell, 1.0, cold_C, model=model)
        curves.append(cold)
        row[f"capacity_1C_{cold_C:g}C_Ah"] = cold.capacity_Ah
        pack = _pack(cell, basis, reference, pack_voltage_V)
        row.update(pack_energy_kWh=pack.energy_kWh, pack_mass_kg=pack.mass_kg,
                   pack_volume_L=pack.volume_L, pack_voltage_V=pack.nominal_voltage_V)
        for ambient_C in range_ambients_C:
            result = range_test(pack, vehicle, range_cycle, ambient_C=ambient_C)
            row[f"range_{ambient_C:g}C_km"] = result.range_km
            row[f"consumption_{ambient_C:g}C_Wh_per_km"] = result.consumption_Wh_per_km
        row.update(lifetime_columns(pack, vehicle, years=lifetime_years))
        row.update(arc_summary(cell))
        rows.append(row)
    return Comparison(table=pd.DataFrame(rows), basis=basis, reference=reference,
                      lifetime_years=lifetime_years, discharges=curves)


def _reference(basis: str, pack_kWh: float, pack_voltage_V: float) -> dict[str, float]:
    """What every pack shares: the energy, or the volume or mass of the reference pack."""
    if basis == "energy":
        return {"pack_energy_kWh": pack_kWh}
    pack = Pack.sized(Cell.from_chemistry(REFERENCE_CHEMISTRY), energy_kWh=pack_kWh,
                      voltage_V=pack_voltage_V)
    return {"pack_volume_L": pack.volume_L} if basis == "volume" else {"pack_mass_kg": pack.mass_kg}


def _pack(cell: Cell, basis: str, reference: dict[str, float], voltage_V: float) -> Pack:
    if basis == "energy":
        return Pack.sized(cell, energy_kWh=reference["pack_energy_kWh"], voltage_V=voltage_V)
    if basis == "volume":
        return Pack.filled(cell, volume_L=reference["pack_volume_L"], voltage_V=voltage_V)
    return Pack.filled(cell, mass_kg=reference["pack_mass_kg"], voltage_V=voltage_V)
