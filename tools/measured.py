"""Measured cell data used to validate and calibrate the shipped parameter sets.

The files are copies of ``../shared/measured`` kept in ``tests/data/measured`` with their licences
(see ``tests/data/measured/README.md``); the BPX pouch cell's own validation data stay in
``../shared/bpx`` (its licence is not confirmed, so it is not copied).

Sign convention: current > 0 is discharge (as cellsim and PyBaMM).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.io

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "tests" / "data" / "measured"
BPX_FILE = REPO.parent / "shared" / "bpx" / "nmc_pouch_cell_BPX.json"
LGM50_C_RATES = (0.1, 0.5, 1.0, 2.0)
LGM50_NOMINAL_AH = 5.0  # LG INR21700-M50 datasheet
LGM50_PULSE_SOC = tuple(round(0.1 * k, 1) for k in range(1, 10))  # SoC1 .. SoC9 of the .mat file
LGM50_PULSE_TEMPERATURES_C = (0, 10, 25, 45)
PULSE_DURATION_S = 10.0
ABOUTENERGY_LFP_NOMINAL_AH = 2.0  # About:Energy LFP 18650 (BPX 'Nominal cell capacity')


@dataclass(frozen=True)
class MeasuredDischarge:
    """A measured constant-current discharge from full charge.

    Attributes
    ----------
    name
        Short label, e.g. ``"LG M50 1C 25 °C"``.
    c_rate
        Nominal C-rate of the test (current / nominal capacity of the measured cell).
    ambient_C
        Chamber temperature.
    time_s, current_A, voltage_V
        The discharge from the first loaded sample to the cut-off (current > 0).
    temperature_C
        Measured temperature (can surface) or None when not measured.
    rest_voltage_V
        Voltage at rest just before the current starts (the cell's open-circuit voltage then),
        None when the record starts under load (the cell is then taken as fully charged).
    nominal_capacity_Ah
        Rated capacity of the measured cell.
    """

    name: str
    c_rate: float
    ambient_C: float
    time_s: np.ndarray
    current_A: np.ndarray
    voltage_V: np.ndarray
    temperature_C: np.ndarray | None
    rest_voltage_V: float | None
    nominal_capacity_Ah: float

    @property
    def capacity_Ah(self) -> np.ndarray:
        """Charge discharged since the start, along the curve."""
        charge_As = np.concatenate([[0.0], np.cumsum(np.diff(self.time_s)
                                                     * 0.5 * (self.current_A[1:]
                                                              + self.current_A[:-1]))])
        return charge_As / 3600.0

    @property
    def current_mean_A(self) -> float:
        """Mean current while loaded (the constant current of the test)."""
        loaded = self.current_A > 0.5 * np.max(self.current_A)
        return float(np.mean(self.current_A[loaded]))


def _discharge_from_frame(frame: pd.DataFrame, name: str, c_rate: float, nominal_Ah: float,
                          temperature_column: str | None) -> MeasuredDischarge:
    """Cut a measured frame to its loaded part; the rest voltage is the last sample before it."""
    current = frame["current_A"].to_numpy()
    loaded = np.flatnonzero(current > 0.5 * c_rate * nominal_Ah)
    start, stop = loaded[0], loaded[-1] + 1
    time_s = frame["time_s"].to_numpy()[start:stop]
    temperature = None
    if temperature_column is not None:
        temperature = frame[temperature_column].to_numpy()[start:stop]
    return MeasuredDischarge(
        name=name,
        c_rate=c_rate,
        ambient_C=25.0,
        time_s=time_s - time_s[0],
        current_A=current[start:stop],
        voltage_V=frame["voltage_V"].to_numpy()[start:stop],
        temperature_C=temperature,
        rest_voltage_V=float(frame["voltage_V"].to_numpy()[start - 1]) if start > 0 else None,
        nominal_capacity_Ah=nominal_Ah,
    )


def lgm50_discharge(c_rate: float) -> MeasuredDischarge:
    """LG M50 CC discharge at ``c_rate`` (0.1, 0.5, 1 or 2) from 4.2 V, 25 °C chamber, with the
    can's mid-surface temperature (WMG, Warwick; MIT licence)."""
    path = DATA_DIR / "lgm50" / f"lgm50_discharge_{c_rate:g}C_25degC.csv"
    return _discharge_from_frame(pd.read_csv(path), f"LG M50 {c_rate:g}C 25 °C", c_rate,
                                 LGM50_NOMINAL_AH, "surface_temperature_C")


def aboutenergy_lfp_discharge(c_rate: float) -> MeasuredDischarge:
    """About:Energy 2 Ah LFP 18650 discharge at C/20 (``0.05``) or 1C, 25 °C (CC BY-SA 4.0)."""
    names = {0.05: "lfp_25degc_co20.csv", 1.0: "lfp_25degc_1c.csv"}
    if c_rate not in names:
        raise ValueError(f"c_rate={c_rate!r}: About:Energy LFP data exist at 0.05 and 1.0")
    frame = pd.read_csv(DATA_DIR / "aboutenergy_lfp" / names[c_rate])
    return _discharge_from_frame(frame, f"About:Energy LFP {c_rate:g}C 25 °C", c_rate,
                                 ABOUTENERGY_LFP_NOMINAL_AH, None)


def bpx_discharge(name: str, bpx_file: Path = BPX_FILE) -> MeasuredDischarge:
    """The BPX NMC pouch cell's own validation discharge (``"C/20 discharge"``, ``"1C discharge"``).

    The file is read from ``../shared/bpx`` (not copied: its licence is not confirmed).
    """
    document = json.loads(Path(bpx_file).read_text(encoding="utf-8"))
    nominal_Ah = float(document["Parameterisation"]["Cell"]["Nominal cell capacity [A.h]"])
    series = document["Validation"][name]
    frame = pd.DataFrame({
        "time_s": np.asarray(series["Time [s]"], dtype=float),
        "current_A": -np.asarray(series["Current [A]"], dtype=float),  # BPX: < 0 on discharge
        "voltage_V": np.asarray(series["Voltage [V]"], dtype=float),
        "temperature_C": np.asarray(series["Temperature [K]"], dtype=float) - 273.15,
    })
    c_rate = float(np.median(frame["current_A"])) / nominal_Ah
    # The file's temperature series is a constant 25 °C (not a measurement): no temperature.
    measured_temperature = "temperature_C" if np.ptp(frame["temperature_C"]) > 0 else None
    return _discharge_from_frame(frame, f"BPX NMC pouch {name}", round(c_rate, 2), nominal_Ah,
                                 measured_temperature)


@dataclass(frozen=True)
class PulseTest:
    """One 10 s discharge pulse of one LG M50 cell.

    Attributes
    ----------
    temperature_C
        Chamber temperature of the campaign (0, 10, 25 or 45 °C).
    soc
        Nominal SOC of the pulse (0.1 .. 0.9, coulomb-counted by the lab).
    cell
        Cell id in the data set.
    rest_voltage_V
        Voltage at the end of the rest before the pulse.
    current_A
        Pulse current (> 0, discharge).
    voltage_end_V
        Voltage at the end of the 10 s pulse.
    cell_temperature_C
        Logged cell temperature before the pulse; the chamber temperature where the file has no
        log (every campaign except 25 °C).
    """

    temperature_C: float
    soc: float
    cell: str
    rest_voltage_V: float
    current_A: float
    voltage_end_V: float
    cell_temperature_C: float

    @property
    def resistance_ohm(self) -> float:
        """10 s pulse resistance, (rest voltage − voltage at 10 s) / current."""
        return (self.rest_voltage_V - self.voltage_end_V) / self.current_A


def lgm50_pulses() -> list[PulseTest]:
    """Every 10 s discharge pulse of the LG M50 pulse campaign (6 cells × 9 SOCs × 4 temperatures).

    The pulse is the first step with discharge current (negative in the raw file); the rest
    voltage is the last sample before it.
    """
    raw = scipy.io.loadmat(DATA_DIR / "lgm50" / "LGM50_5Ah_Pulse.mat",
                           simplify_cells=True)["LGM50_5Ah_Pulse"]
    pulses = []
    for temperature_C in LGM50_PULSE_TEMPERATURES_C:
        by_soc = raw[f"T{temperature_C}"]
        for k, soc in enumerate(LGM50_PULSE_SOC, start=1):
            for cell_id, record in by_soc[f"SoC{k}"].items():
                data = record["data"]
                current = -np.asarray(data["Current"], dtype=float)
                step = np.asarray(data["Step"])
                loaded = np.flatnonzero(current > 0.5)
                pulse_step = step[loaded[0]]
                in_pulse = np.flatnonzero(step == pulse_step)
                before = in_pulse[0] - 1
                voltage = np.asarray(data["Voltage"], dtype=float)
                logged_C = float(np.asarray(data["LogTemp001"], dtype=float)[before])
                pulses.append(PulseTest(
                    temperature_C=float(temperature_C),
                    soc=soc,
                    cell=str(cell_id),
                    rest_voltage_V=float(voltage[before]),
                    current_A=float(np.median(current[loaded])),
                    voltage_end_V=float(voltage[in_pulse[-1]]),
                    cell_temperature_C=logged_C if np.isfinite(logged_C) else float(temperature_C),
                ))
    return pulses


def lgm50_ocv() -> pd.DataFrame:
    """LG M50 25 °C pseudo-OCV: ``soc`` (0–1), ``ocv_V`` (mean of charge and discharge) and
    ``hysteresis_V`` (half-width)."""
    raw = scipy.io.loadmat(DATA_DIR / "lgm50" / "LGM50_5Ah_OCV.mat",
                           simplify_cells=True)["LGM50_5Ah_OCV"]["T25"]
    return pd.DataFrame({
        "soc": np.asarray(raw["refSoC"], dtype=float) / 100.0,
        "ocv_V": np.asarray(raw["meanOCV"], dtype=float),
        "hysteresis_V": np.asarray(raw["meanHys"], dtype=float),
    })
