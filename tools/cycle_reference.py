"""Published empirical fits of cycle-ageing tests, used to calibrate and check cellsim's
cycle-ageing parameters (:mod:`tools.calibrate_cycle_ageing`).

Capacity loss (fraction of the initial capacity) of a cell cycled ``cycles`` times at a constant
temperature between a full charge and ``dod`` below it: discharge at ``discharge_c_rate``,
charge at ``charge_c_rate``, the rest of each ``cycle_time_h`` held at full charge (the CV
phase). Each fit adds its calendar term (time at the cycle's SOC profile) and its cycle term
(equivalent full cycles), exactly as NREL's BLAST-Lite (github.com/NREL/BLAST-Lite,
``blast/models/``) computes them for a repeating input: the stressors of one cycle
(``BatteryDegradationModel._extract_stressors``, ``blast/models/degradation_model.py``, commit
0184a813) from the cycle's SOC profile, the calendar rate averaged over the cycle's time.
Equivalent full cycles are ``cycles x dod``, as the LG M50 data report them (model docstring).

- ``ncm811``: LG M50 (NCM811 | graphite-SiOx), cycle data of Bui et al. 2021 (IEEE,
  ieeexplore.ieee.org/document/9617644) at 0 and 25 C cell temperature, 100 % DoD, discharge rate
  varied, charge <= C/3; ``blast/models/nmc811_grSi_LGM50_5Ah_2021.py`` (commit 75362164):
  q_cyc = q3_b0 exp(q3_b1 C_dis^3) exp(q3_b2 (T/308.15 K)^3 C_dis^0.5) (EFC / 1e4)^p_cyc.
- ``lfp``: large-format (>250 Ah) prismatic LFP | graphite cell, data in
  doi:10.1016/j.est.2023.109042, cycled at 10-45 C, 80-100 % DoD, charge <= 0.65C, discharge
  <= 1C; ``blast/models/lfp_gr_250AhPrismatic_2019.py`` (commit 039b74dc):
  q_cyc = (p4 + p5 DoD + p6 C) (exp(p7/T) + exp(-p8/T)) EFC^p_cyc with C the time-averaged
  absolute C-rate.
- ``ncm523``: DENSO 50 Ah NMC622 | graphite EV cell, model of Smith et al. 2021, J. Electrochem.
  Soc. 168, 100530, doi:10.1149/1945-7111/ac2ebd, cycled at 10-60 C, DoD varied at 25 and 45 C,
  charge rate varied (<= 1C) at 25-55 C, discharge always 1C;
  ``blast/models/nmc622_gr_DENSO50Ah_2021.py`` (commit 143df55a):
  q_cyc = b1t b1N b1N_4 EFC^0.5 with b1t the calendar rate (at the cycle's mean SOC) and
  b1N = max(0, b1N_0 Arr(b1N_Ea_1) (DoD C_chg)^0.5 (1 + b1N_1 SOC) + b1N_2)
  + b1N_3 Arr(b1N_Ea_2) DoD^6, Arr(E) = exp(-E/R (1/T - 1/298.15 K)), C_chg the mean C-rate
  while charging. Cycle data at 50 % mean SOC only, no knee seen (model docstring).

The calendar terms are those of :mod:`tools.calendar_reference` (same files and commits).
"""

from __future__ import annotations

import numpy as np

from tools.calendar_reference import (R_GAS, graphite_potential_V, lfp_250ah_prismatic,
                                      nmc622_denso_50ah)

POINTS_PER_HOUR = 200  # resolution of the SOC profile the calendar rate is averaged over

# nmc811_grSi_LGM50_5Ah_2021.py (commit 75362164), _params_life
LGM50_P_CYC = 0.441996792536332
LGM50_Q3 = (0.181235015387132, -0.123779206033993, 1.24459541295018)  # q3_b0, q3_b1, q3_b2
# lfp_gr_250AhPrismatic_2019.py (commit 039b74dc), _params_life
LFP_P4_P5_P6 = (4.38e-08, 1.55e-08, 1.68e-07)
LFP_P7_P8 = (2.19e03, 1.55e05)  # K
LFP_P_CYC = 0.828
# nmc622_gr_DENSO50Ah_2021.py (commit 143df55a), _params_life
DENSO_B1N_0_1_2 = (3.24, 2.1, -0.099)  # b1N_0, b1N_1, b1N_2
DENSO_B1N_3 = 1.44  # b1N_3 (DoD^6 term)
DENSO_B1N_EA = (-58000.0, -13000.0)  # b1N_Ea_1, b1N_Ea_2 [J/mol]
DENSO_B1N_4 = 0.985  # b1N_4
DENSO_P_CYC = 0.5  # update_states: _update_power_state(..., 0.5) for qLoss_EFC


def soc_profile(discharge_c_rate: float, charge_c_rate: float, dod: float,
                cycle_time_h: float) -> tuple[np.ndarray, np.ndarray]:
    """(time [h], SOC) of one cycle: constant-current discharge from 1 to ``1 - dod``, constant
    current charge back to 1, held at 1 for the rest of ``cycle_time_h``."""
    t_dis, t_chg = dod / discharge_c_rate, dod / charge_c_rate
    t_hold = max(cycle_time_h - t_dis - t_chg, 0.0)
    n = max(int(POINTS_PER_HOUR * (t_dis + t_chg + t_hold)), 50)
    time_h = np.linspace(0.0, t_dis + t_chg + t_hold, n)
    soc = np.where(time_h < t_dis, 1.0 - discharge_c_rate * time_h,
                   np.minimum(1.0 - dod + charge_c_rate * (time_h - t_dis), 1.0))
    return time_h, soc


def _time_average(values: np.ndarray, time_h: np.ndarray) -> float:
    return float(np.sum(0.5 * (values[1:] + values[:-1]) * np.diff(time_h)) / time_h[-1])


def lg_m50_cycle_test(cycles: float, temperature_C: float, discharge_c_rate: float,
                      charge_c_rate: float, dod: float, cycle_time_h: float) -> float:
    """Capacity loss of the LG M50 fit (calendar + cycle terms) after ``cycles`` cycles."""
    time_h, soc = soc_profile(discharge_c_rate, charge_c_rate, dod, cycle_time_h)
    tn = (temperature_C + 273.15) / 308.15
    uan = np.array([graphite_potential_V(s) for s in soc]) / 0.123
    k_cal = (-2.39156628786525 + 2.44205317834185 * np.exp(tn**3 / uan ** (1 / 3))
             - 4.45998246136905 * tn**3 / uan**0.5
             + 0.448140062203916 * np.exp(soc**0.5 / tn**2)
             - 0.185337797906876 * np.exp(soc**3))
    days = cycles * time_h[-1] / 24.0
    q_cal = _time_average(k_cal, time_h) * (days / 1e4) ** 0.651697743905278
    b0, b1, b2 = LGM50_Q3
    k_cyc = b0 * np.exp(b1 * discharge_c_rate**3) * np.exp(b2 * tn**3 * discharge_c_rate**0.5)
    return float(q_cal + k_cyc * (cycles * dod / 1e4) ** LGM50_P_CYC)


def lfp_250ah_cycle_test(cycles: float, temperature_C: float, discharge_c_rate: float,
                         charge_c_rate: float, dod: float, cycle_time_h: float) -> float:
    """Capacity loss of the large-format LFP fit (calendar + cycle terms) after ``cycles``."""
    time_h, soc = soc_profile(discharge_c_rate, charge_c_rate, dod, cycle_time_h)
    t_k = temperature_C + 273.15
    days = cycles * time_h[-1] / 24.0
    # the calendar rate is k = q(1 day) of the calendar fit; BLAST averages k over the cycle
    k_cal = np.array([lfp_250ah_prismatic(1.0, temperature_C, s) for s in soc])
    q_cal = _time_average(k_cal, time_h) * days**0.526
    c_rate = 2.0 * dod / time_h[-1]  # time-averaged |dSOC/dt| of the cycle [1/h]
    p4, p5, p6 = LFP_P4_P5_P6
    p7, p8 = LFP_P7_P8
    k_cyc = (p4 + p5 * dod + p6 * c_rate) * (np.exp(p7 / t_k) + np.exp(-p8 / t_k))
    return float(q_cal + k_cyc * (cycles * dod) ** LFP_P_CYC)


def _denso_arrhenius(t_k: float, energy_J_per_mol: float) -> float:
    """BLAST-Lite's ``arrhenius(TdegK, Ea)`` of the DENSO model (reference 298.15 K)."""
    return float(np.exp(-(energy_J_per_mol / R_GAS) * (1.0 / t_k - 1.0 / 298.15)))


def denso_50ah_cycle_test(cycles: float, temperature_C: float, discharge_c_rate: float,
                          charge_c_rate: float, dod: float, cycle_time_h: float) -> float:
    """Capacity loss of the DENSO NMC622 fit (calendar + cycle terms) after ``cycles`` cycles.

    The model's stressors are the cycle's mean SOC, its DoD and the mean charging C-rate (the
    CV hold at full charge has no SOC change and is not charging time in the model's own
    ``_extract_stressors``); the discharge rate does not enter (its data were all at 1C)."""
    time_h, soc = soc_profile(discharge_c_rate, charge_c_rate, dod, cycle_time_h)
    t_k = temperature_C + 273.15
    mean_soc = _time_average(soc, time_h)
    days = cycles * time_h[-1] / 24.0
    b1t = nmc622_denso_50ah(1.0, temperature_C, mean_soc)  # q_cal = b1t sqrt(days)
    b0, b1, b2 = DENSO_B1N_0_1_2
    ea1, ea2 = DENSO_B1N_EA
    stress = (dod * charge_c_rate) ** 0.5
    b1n = (max(0.0, b0 * _denso_arrhenius(t_k, ea1) * stress * (1.0 + b1 * mean_soc) + b2)
           + DENSO_B1N_3 * _denso_arrhenius(t_k, ea2) * dod**6)
    return float(b1t * days**0.5 + b1t * b1n * DENSO_B1N_4 * (cycles * dod) ** DENSO_P_CYC)


#: The fit each parameter set's cycle ageing is calibrated to.
REFERENCE = {"ncm811": lg_m50_cycle_test, "lfp": lfp_250ah_cycle_test,
             "ncm523": denso_50ah_cycle_test}
