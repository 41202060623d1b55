"""A battery pack of identical cells, ``series`` groups of ``parallel`` cells.

Cells are assumed identical and evenly loaded: each carries ``1 / n_cells`` of the pack power.
Pack mass and volume come from the cells through cell-to-pack ratios (cell mass over pack mass,
cell volume over pack volume); by default the cell's own, which its parameter file sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InputError
from ..validation import check_number
from ._checks import check_count

if TYPE_CHECKING:
    from ..chemistry.cell import Cell


@dataclass(frozen=True, init=False)
class Pack:
    """``series`` × ``parallel`` identical cells.

    Parameters
    ----------
    cell
        The cell; needs ``name``, ``nominal_voltage_V``, ``nominal_capacity_Ah``,
        ``nominal_energy_Wh``, ``mass_kg``, ``volume_L``, ``cell_to_pack_mass_ratio`` and
        ``cell_to_pack_volume_ratio``.
    series, parallel
        Cells in series and in parallel, integers ≥ 1.
    cell_to_pack_mass_ratio, cell_to_pack_volume_ratio
        Cell mass over pack mass and cell volume over pack volume, in (0, 1]; ``None`` takes
        the cell's.

    Raises
    ------
    InputError
        Naming the field, if a count is not an integer ≥ 1 or a ratio is outside (0, 1].
    """

    cell: Cell
    series: int
    parallel: int
    cell_to_pack_mass_ratio: float
    cell_to_pack_volume_ratio: float

    def __init__(
        self,
        cell: Cell,
        series: int,
        parallel: int,
        *,
        cell_to_pack_mass_ratio: float | None = None,
        cell_to_pack_volume_ratio: float | None = None,
    ) -> None:
        values = {
            "cell": cell,
            "series": check_count("series", series),
            "parallel": check_count("parallel", parallel),
            "cell_to_pack_mass_ratio": _ratio(
                "cell_to_pack_mass_ratio", cell_to_pack_mass_ratio, cell.cell_to_pack_mass_ratio
            ),
            "cell_to_pack_volume_ratio": _ratio(
                "cell_to_pack_volume_ratio",
                cell_to_pack_volume_ratio,
                cell.cell_to_pack_volume_ratio,
            ),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    # ----------------------------------------------------------------------------- sizing

    @classmethod
    def sized(
        cls,
        cell: Cell,
        *,
        energy_kWh: float,
        voltage_V: float,
        cell_to_pack_mass_ratio: float | None = None,
        cell_to_pack_volume_ratio: float | None = None,
    ) -> Pack:
        """The smallest pack holding at least ``energy_kWh``, at a voltage near ``voltage_V``.

        Energy comes first, so packs of different cells compare at equal kWh: the cell count is
        the smallest that reaches ``energy_kWh``; ``parallel`` is the number of strings that
        count needs at ``voltage_V`` (at least 1), and ``series`` the fewest cells per string
        that reach the energy. Large-format cells (e.g. 280 Ah LFP) therefore give a lower pack
        voltage than ``voltage_V`` when one string at that voltage would hold far more energy.

        Raises
        ------
        InputError
            If ``energy_kWh`` or ``voltage_V`` is not a number > 0.
        """
        energy_Wh = 1000.0 * check_number("energy_kWh", energy_kWh, low=0.0, low_inclusive=False)
        cells_needed = math.ceil(energy_Wh / cell.nominal_energy_Wh - 1e-9)
        parallel = max(1, math.floor(cells_needed / _series_for(cell, voltage_V)))
        series = math.ceil(cells_needed / parallel - 1e-9)
        return cls(
            cell,
            series,
            parallel,
            cell_to_pack_mass_ratio=cell_to_pack_mass_ratio,
            cell_to_pack_volume_ratio=cell_to_pack_volume_ratio,
        )

    @classmethod
    def sized_by_mass(
        cls,
        cell: Cell,
        *,
        mass_kg: float,
        voltage_V: float,
        cell_to_pack_mass_ratio: float | None = None,
        cell_to_pack_volume_ratio: float | None = None,
    ) -> Pack:
        """The largest pack near ``voltage_V`` whose mass is at most ``mass_kg``.

        Raises
        ------
        InputError
            If a value is not a number > 0, or the budget does not fit one series string.
        """
        return cls._sized_by_budget(
            cell, "mass", mass_kg, voltage_V, cell_to_pack_mass_ratio, cell_to_pack_volume_ratio
        )

    @classmethod
    def sized_by_volume(
        cls,
        cell: Cell,
        *,
        volume_L: float,
        voltage_V: float,
        cell_to_pack_mass_ratio: float | None = None,
        cell_to_pack_volume_ratio: float | None = None,
    ) -> Pack:
        """The largest pack near ``voltage_V`` whose volume is at most ``volume_L``.

        Raises
        ------
        InputError
            If a value is not a number > 0, or the budget does not fit one series string.
        """
        return cls._sized_by_budget(
            cell, "volume", volume_L, voltage_V, cell_to_pack_mass_ratio, cell_to_pack_volume_ratio
        )

    @classmethod
    def filled(
        cls,
        cell: Cell,
        *,
        voltage_V: float,
        volume_L: float | None = None,
        mass_kg: float | None = None,
    ) -> Pack:
        """The pack with the most cells whose volume (or mass) is at most ``volume_L``
        (``mass_kg``), laid out as :meth:`sized` lays out cells: as many strings near
        ``voltage_V`` as the cells make, fewer cells in series when the budget holds less than
        one string (large-format cells, e.g. 280 Ah LFP). Unlike :meth:`sized_by_volume`, which
        adds whole strings at ``voltage_V``, it fills the budget to within a cell per string,
        so packs of different cells compare at equal volume (or mass). Cell-to-pack ratios are
        the cell's.

        Raises
        ------
        InputError
            If not exactly one of ``volume_L``, ``mass_kg`` is given, a value is not a number
            > 0, or the budget does not hold one cell.
        """
        if (volume_L is None) == (mass_kg is None):
            raise InputError(f"give one of volume_L={volume_L!r}, mass_kg={mass_kg!r}")
        quantity, budget = ("volume", volume_L) if mass_kg is None else ("mass", mass_kg)
        field, unit = {"mass": ("mass_kg", "kg"), "volume": ("volume_L", "L")}[quantity]
        budget = check_number(field, budget, low=0.0, low_inclusive=False)
        ratio_field = f"cell_to_pack_{quantity}_ratio"
        per_cell = getattr(cell, field) / _ratio(ratio_field, None, getattr(cell, ratio_field))
        n_cells = math.floor(budget / per_cell + 1e-9)
        if n_cells < 1:
            raise InputError(f"{field}={budget!r} is too small for one cell ({per_cell:.3g} "
                             f"{unit} in a pack); allowed: ≥ {per_cell:.3g} {unit}")
        parallel = max(1, math.floor(n_cells / _series_for(cell, voltage_V)))
        return cls(cell, n_cells // parallel, parallel)

    @classmethod
    def _sized_by_budget(
        cls,
        cell: Cell,
        quantity: str,
        budget: float,
        voltage_V: float,
        mass_ratio: float | None,
        volume_ratio: float | None,
    ) -> Pack:
        """The most series strings whose pack mass or volume (``quantity``) fits ``budget``."""
        field, unit = {"mass": ("mass_kg", "kg"), "volume": ("volume_L", "L")}[quantity]
        budget = check_number(field, budget, low=0.0, low_inclusive=False)
        ratios = {"mass": mass_ratio, "volume": volume_ratio}
        ratio_field = f"cell_to_pack_{quantity}_ratio"
        ratios[quantity] = _ratio(ratio_field, ratios[quantity], getattr(cell, ratio_field))
        series = _series_for(cell, voltage_V)
        per_string = series * getattr(cell, field) / ratios[quantity]
        parallel = _strings_within(field, budget, per_string, series, unit)
        return cls(
            cell,
            series,
            parallel,
            cell_to_pack_mass_ratio=ratios["mass"],
            cell_to_pack_volume_ratio=ratios["volume"],
        )

    # ----------------------------------------------------------------------------- properties

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return self.series * self.parallel

    @property
    def nominal_voltage_V(self) -> float:
        """Nominal pack voltage, V."""
        return self.series * self.cell.nominal_voltage_V

    @property
    def capacity_Ah(self) -> float:
        """Nominal pack capacity, Ah."""
        return self.parallel * self.cell.nominal_capacity_Ah

    @property
    def energy_kWh(self) -> float:
        """Nominal pack energy, kWh."""
        return self.n_cells * self.cell.nominal_energy_Wh / 1000.0

    @property
    def cell_mass_kg(self) -> float:
        """Mass of the cells alone, kg."""
        return self.n_cells * self.cell.mass_kg

    @property
    def mass_kg(self) -> float:
        """Pack mass (cells, housing, cooling, electronics), kg."""
        return self.cell_mass_kg / self.cell_to_pack_mass_ratio

    @property
    def volume_L(self) -> float:
        """Pack volume, L."""
        return self.n_cells * self.cell.volume_L / self.cell_to_pack_volume_ratio

    @property
    def specific_energy_Wh_per_kg(self) -> float:
        """Pack-level specific energy, Wh/kg."""
        return 1000.0 * self.energy_kWh / self.mass_kg

    def per_cell_power_W(self, pack_power_W: np.ndarray | float) -> np.ndarray | float:
        """Power of each cell for a pack power, W (same sign: positive = discharge)."""
        power_W = np.asarray(pack_power_W, dtype=float) / self.n_cells
        return float(power_W) if power_W.ndim == 0 else power_W

    def __repr__(self) -> str:
        return (
            f"Pack({self.cell.name!r}, {self.series}s{self.parallel}p, "
            f"{self.nominal_voltage_V:.0f} V, {self.energy_kWh:.1f} kWh, {self.mass_kg:.0f} kg)"
        )


def _ratio(field: str, value: float | None, cell_default: float) -> float:
    """A cell-to-pack ratio in (0, 1]: ``value``, or the cell's own if ``value`` is ``None``."""
    chosen = cell_default if value is None else value
    if chosen is None:
        raise InputError(
            f"{field} is needed: this cell's file gives no cell-to-pack ratio (e.g. a BPX cell); "
            "pass it, allowed: (0, 1]"
        )
    return check_number(field, chosen, low=0.0, high=1.0, low_inclusive=False)


def _series_for(cell: Cell, voltage_V: float) -> int:
    """Cells in series for a target voltage: rounded, at least 1."""
    target_V = check_number("voltage_V", voltage_V, low=0.0, low_inclusive=False)
    return max(1, round(target_V / cell.nominal_voltage_V))


def _strings_within(field: str, budget: float, per_string: float, series: int, unit: str) -> int:
    """How many series strings fit a mass or volume budget (at least one, else raise)."""
    strings = math.floor(budget / per_string + 1e-9)
    if strings < 1:
        raise InputError(
            f"{field}={budget!r} is too small for one string of {series} cells in series "
            f"({per_string:.3g} {unit}); allowed: ≥ {per_string:.3g} {unit} at this voltage"
        )
    return strings
