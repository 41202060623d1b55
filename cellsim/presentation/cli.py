"""The ``cellsim`` command line: chemistries, discharge curves and the chemistry comparison.

Every cellsim error is printed as one line on stderr (exit status 2), never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import CellsimError
from .cli_support import OutputWriter, check_output_file, check_output_folder
from .cli_support import chemistry_ids as _chemistry_ids
from .cli_support import emit as _emit
from .cli_support import numbers as _numbers


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except CellsimError as err:
        print(f"cellsim: error: {err}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cellsim", description="Cell-level simulation of EV battery chemistries."
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("chemistries", help="list the shipped chemistries")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=_chemistries)

    p = sub.add_parser("discharge", help="constant-current discharge curves")
    p.add_argument("--chemistry", default="all", help="ids separated by commas, or 'all'")
    p.add_argument("--c-rate", default="1", help="C-rates separated by commas")
    p.add_argument("--temperature", default="25", help="ambient temperatures in °C, by commas")
    p.add_argument("--model", default="DFN", choices=("SPM", "SPMe", "DFN"))
    p.add_argument("--engine", default="pybamm", choices=("pybamm", "fast"))
    p.add_argument("--out", type=Path, help="save the figure to this file (.png, .pdf, .svg)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=_discharge)

    p = sub.add_parser("cycles", help="list the shipped drive cycles")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=_cycles)

    p = sub.add_parser("range", help="EV range of packs of each chemistry on a drive cycle")
    p.add_argument("--chemistry", default="all", help="ids separated by commas, or 'all'")
    p.add_argument("--cycle", default="wltc_class3b",
                   help="a shipped cycle (see 'cellsim cycles') or 'epa_combined'")
    p.add_argument("--ambient", default="25", help="ambient temperatures in °C, by commas")
    p.add_argument("--pack-kwh", type=float, default=75.0, help="pack energy, kWh")
    p.add_argument("--pack-voltage", type=float, default=400.0, help="pack nominal voltage, V")
    p.add_argument("--start-soc", type=float, default=1.0, help="SOC at the start (0, 1]")
    p.add_argument("--engine", default="fast", choices=("pybamm", "fast"))
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=_range)

    p = sub.add_parser("compare", help="the chemistry comparison: table and figures")
    p.add_argument("--chemistries", "--chemistry", dest="chemistry", default="all",
                   help="ids separated by commas, or 'all'")
    p.add_argument("--basis", default="energy", choices=("energy", "volume", "mass"),
                   help="what every pack shares: energy (75 kWh), volume (the same car "
                        "platform: the 75 kWh ncm811 pack's litres) or mass (its kg)")
    p.add_argument("--model", default="DFN", choices=("SPM", "SPMe", "DFN"),
                   help="PyBaMM model of the discharge curves")
    p.add_argument("--out", type=Path, default=Path("cellsim_output"),
                   help="output folder: comparison.csv, comparison.png, discharge_curves.png")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=_compare)

    from .fit_cli import add_fit_command
    from .abuse_cli import add_abuse_command
    from .lifetime_cli import add_lifetime_commands
    from .sweep_cli import add_sweep_command

    add_lifetime_commands(sub)
    add_sweep_command(sub)
    add_fit_command(sub)
    add_abuse_command(sub)
    return parser


def _chemistries(args: argparse.Namespace) -> int:
    from ..chemistry.cell import Cell, chemistries

    columns = ["chemistry", "nominal_capacity_Ah", "nominal_energy_Wh",
               "specific_energy_Wh_per_kg", "energy_density_Wh_per_L", "projection"]
    rows = [{k: Cell.from_chemistry(c).summary()[k] for k in columns} for c in chemistries()]
    _emit(pd.DataFrame(rows), args.json)
    return 0


def _discharge(args: argparse.Namespace) -> int:
    from ..chemistry.cell import Cell
    from ..studies.discharge import discharge

    if args.out:
        check_output_file("out", args.out)
    results = []
    for chemistry in _chemistry_ids(args.chemistry):
        cell = Cell.from_chemistry(chemistry)
        for temperature_C in _numbers("temperature", args.temperature):
            for c_rate in _numbers("c-rate", args.c_rate):
                results.append(
                    discharge(cell, c_rate, temperature_C, model=args.model, engine=args.engine)
                )
    table = pd.DataFrame(
        [
            {
                "chemistry": r.cell.chemistry,
                "c_rate": r.c_rate,
                "temperature_C": r.temperature_C,
                "capacity_Ah": r.capacity_Ah,
                "energy_Wh": r.energy_Wh,
                "mean_voltage_V": r.mean_voltage_V,
            }
            for r in results
        ]
    )
    _emit(table, args.json)
    if args.out:
        from .plots import plot_discharge

        writer = OutputWriter(args.out.parent)
        writer.figure(args.out.name, lambda: plot_discharge(results))
        writer.finish()
    return 0


def _cycles(args: argparse.Namespace) -> int:
    from ..load.drive_cycle import DriveCycle

    rows = []
    for name in DriveCycle.standard_names():
        cycle = DriveCycle.standard(name)
        rows.append({"cycle": name, "duration_s": cycle.duration_s, "distance_km": cycle.distance_km,
                     "max_speed_kmh": cycle.max_speed_kmh, "mean_speed_kmh": cycle.mean_speed_kmh})
    _emit(pd.DataFrame(rows), args.json)
    return 0


def _range(args: argparse.Namespace) -> int:
    from ..chemistry.cell import Cell
    from ..load.pack import Pack
    from ..load.vehicle import Vehicle
    from ..studies.range_test import epa_combined_range, range_test

    vehicle = Vehicle.default()
    rows = []
    for chemistry in _chemistry_ids(args.chemistry):
        pack = Pack.sized(Cell.from_chemistry(chemistry), energy_kWh=args.pack_kwh,
                          voltage_V=args.pack_voltage)
        for ambient_C in _numbers("ambient", args.ambient):
            options = {"ambient_C": ambient_C, "start_soc": args.start_soc, "engine": args.engine}
            if args.cycle == "epa_combined":
                result = epa_combined_range(pack, vehicle, **options)
            else:
                result = range_test(pack, vehicle, args.cycle, **options)
            rows.append({"chemistry": chemistry, "cycle": args.cycle, "ambient_C": ambient_C,
                         "pack_kWh": pack.energy_kWh, "pack_mass_kg": pack.mass_kg,
                         **result.summary()})
    _emit(pd.DataFrame(rows), args.json)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from ..studies.compare import compare

    check_output_folder("out", args.out)
    comparison = compare(_chemistry_ids(args.chemistry), basis=args.basis, model=args.model)
    table = comparison.formatted()
    _emit(table, args.json)
    writer = OutputWriter(args.out)
    writer.write("comparison.csv", lambda path: table.to_csv(path, index=False))
    writer.figure("comparison.png", comparison.plot)
    writer.figure("discharge_curves.png", comparison.plot_discharges)
    written = writer.finish()
    if not args.json:
        print(f"\nwrote {', '.join(map(str, written))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
