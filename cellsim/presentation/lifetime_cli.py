"""``cellsim lifetime`` and ``cellsim fastcharge``: degradation over years and DC fast charging.

Wire into the main parser with :func:`add_lifetime_commands`::

    cellsim lifetime --chemistry all --years 10 --daily-km 50 --climate temperate
    cellsim lifetime --chemistry ncm811,lfp --climate seasonal:12,9,8 --charge-to 0.8 --json
    cellsim fastcharge --chemistry all --charger-kw 50,150,350 --ambient 25,0
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from .cli_support import OutputWriter, check_output_folder
from .cli_support import chemistry_ids as _chemistry_ids
from .cli_support import emit as _emit
from .cli_support import numbers as _numbers


def add_lifetime_commands(subparsers: Any) -> tuple[argparse.ArgumentParser, ...]:
    """Add ``lifetime`` and ``fastcharge`` to the ``cellsim`` subparsers; return their parsers."""
    p = subparsers.add_parser("lifetime", help="capacity, resistance and range over years of use")
    p.add_argument("--chemistry", default="all", help="ids separated by commas, or 'all'")
    p.add_argument("--years", type=float, default=10.0, help="horizon in years (default 10)")
    p.add_argument("--daily-km", type=float, default=50.0, help="km driven per day")
    p.add_argument("--cycle", default="wltc_class3b", help="drive cycle of the daily distance")
    p.add_argument("--climate", default="temperate",
                   help="temperate|hot|cold|mild, constant:T, seasonal:MEAN,AMP[,SWING] or a CSV "
                        "with an hourly temperature_C column")
    p.add_argument("--charge-to", type=float, default=0.9, help="daily charge target SOC (0, 1]")
    p.add_argument("--charger-kw", type=float, default=7.4, help="AC charger power, kW")
    p.add_argument("--dc-fast-kw", type=float, default=150.0, help="DC fast-charger power, kW")
    p.add_argument("--dc-per-week", type=float, default=0.0, help="DC fast charges per week")
    p.add_argument("--mode", default="accelerated", choices=("accelerated", "exact"))
    p.add_argument("--range-every-days", type=int, default=365,
                   help="re-evaluate the 25 °C range every N days (0: never)")
    p.add_argument("--pack-kwh", type=float, default=75.0, help="pack energy, kWh")
    p.add_argument("--pack-voltage", type=float, default=400.0, help="pack nominal voltage, V")
    p.add_argument("--out", type=Path, help="folder for lifetime.csv (monthly rows) and soh.png")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(run=run_lifetime_command)

    q = subparsers.add_parser("fastcharge", help="DC fast charge: time, peak temperature, plating")
    q.add_argument("--chemistry", default="all", help="ids separated by commas, or 'all'")
    q.add_argument("--charger-kw", default="150", help="charger powers in kW, by commas")
    q.add_argument("--ambient", default="25", help="ambient temperatures in °C, by commas")
    q.add_argument("--start-soc", type=float, default=0.1)
    q.add_argument("--end-soc", type=float, default=0.8)
    q.add_argument("--coolant", type=float, help="coolant temperature, °C (default: ambient)")
    q.add_argument("--h", type=float, dest="h_W_per_m2K",
                   help="heat-transfer coefficient cell-coolant, W/m²/K (default: parameter set)")
    q.add_argument("--pack-kwh", type=float, default=75.0, help="pack energy, kWh")
    q.add_argument("--pack-voltage", type=float, default=400.0, help="pack nominal voltage, V")
    q.add_argument("--out", type=Path, help="folder for fastcharge.csv and fastcharge.png")
    q.add_argument("--json", action="store_true", help="print JSON instead of a table")
    q.set_defaults(run=run_fastcharge_command)
    return p, q


def run_lifetime_command(args: argparse.Namespace) -> int:
    """``cellsim lifetime``: one row of scalars per chemistry."""
    from ..chemistry.cell import Cell
    from ..load.pack import Pack
    from ..load.usage import Usage
    from ..load.vehicle import Vehicle
    from ..studies.lifetime import climate_from_text, lifetime

    if args.out:
        check_output_folder("out", args.out)
    climate = climate_from_text(args.climate)
    usage = Usage(daily_km=args.daily_km, cycle=args.cycle, charge_to_soc=args.charge_to,
                  charger_kW=args.charger_kw, dc_fast_kW=args.dc_fast_kw,
                  dc_fast_per_week=args.dc_per_week)
    if args.range_every_days < 0:
        raise InputError(f"range-every-days={args.range_every_days} must be ≥ 0")
    vehicle = Vehicle.default()
    rows, results = [], []
    for chemistry in _chemistry_ids(args.chemistry):
        pack = Pack.sized(Cell.from_chemistry(chemistry), energy_kWh=args.pack_kwh,
                          voltage_V=args.pack_voltage)
        result = lifetime(pack, vehicle, usage, climate, args.years, mode=args.mode,
                          range_every_days=args.range_every_days or None)
        results.append(result)
        summary = result.summary()
        summary.pop("climate")
        rows.append(summary)
    table = pd.DataFrame(rows)
    _emit(table, args.json)
    if args.out:
        from .plots import plot_soh

        frames = pd.concat([r.data.assign(chemistry=r.chemistry) for r in results],
                           ignore_index=True)
        writer = OutputWriter(args.out)
        writer.write("lifetime.csv", lambda path: frames.to_csv(path, index=False))
        writer.figure("soh.png", lambda: plot_soh(results))
        writer.finish()
    if not args.json:
        print(f"\nclimate: {climate.name}")
        for r in results:
            if r.stopped_reason:
                print(f"{r.chemistry}: stopped at {r.stopped_reason}")
    return 0


def run_fastcharge_command(args: argparse.Namespace) -> int:
    """``cellsim fastcharge``: one row per chemistry, charger power and ambient."""
    from ..chemistry.cell import Cell
    from ..load.pack import Pack
    from ..studies.fast_charge import fast_charge

    if args.out:
        check_output_folder("out", args.out)
    rows, results = [], []
    for chemistry in _chemistry_ids(args.chemistry):
        pack = Pack.sized(Cell.from_chemistry(chemistry), energy_kWh=args.pack_kwh,
                          voltage_V=args.pack_voltage)
        for ambient_C in _numbers("ambient", args.ambient):
            for kw in _numbers("charger-kw", args.charger_kw):
                result = fast_charge(pack, kw, args.start_soc, args.end_soc, ambient_C,
                                     coolant_C=args.coolant, h_W_per_m2K=args.h_W_per_m2K)
                results.append(result)
                rows.append(result.summary())
    table = pd.DataFrame(rows)
    _emit(table, args.json)
    if args.out:
        from .plots import plot_fast_charge

        writer = OutputWriter(args.out)
        writer.write("fastcharge.csv", lambda path: table.to_csv(path, index=False))
        writer.figure("fastcharge.png", lambda: plot_fast_charge(results))
        writer.finish()
    return 0

