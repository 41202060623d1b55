"""Published empirical calendar-fade fits, used to calibrate and check cellsim's ageing parameters.

Capacity loss (fraction of the initial capacity) after ``days`` of storage at constant temperature
and state of charge, exactly as the fits are written in NREL's BLAST-Lite (github.com/NREL/BLAST-Lite,
``blast/models/``), which re-implements the published models:

- :func:`lfp_250ah_prismatic`: large-format (>250 Ah) prismatic LFP | graphite cell; data in
  doi:10.1016/j.est.2023.109042 (``lfp_gr_250AhPrismatic_2019.py``, commit 039b74dc).
- :func:`nmc622_denso_50ah`: DENSO 50 Ah NMC622 | graphite EV cell, model of Smith et al. 2021,
  J. Electrochem. Soc. 168, 100530, doi:10.1149/1945-7111/ac2ebd (``nmc622_gr_DENSO50Ah_2021.py``,
  commit 143df55a).
- :func:`nmc811_lg_m50`: LG M50 (NCM811 | graphite-SiOx, the ``ncm811`` cell) fitted to the calendar
  data of Bui et al. 2021, IEEE, ieeexplore.ieee.org/document/9617644
  (``nmc811_grSi_LGM50_5Ah_2021.py``, commit 75362164).

The graphite potential stressor ``Ua(soc)`` is BLAST-Lite's (Safari & Delacourt 2011 graphite OCP,
doi:10.1149/1.3567007, at x = 0.0085 + soc (0.78 - 0.0085)).
"""

from __future__ import annotations

import numpy as np

R_GAS = 8.3144


def graphite_potential_V(soc: float) -> float:
    """BLAST-Lite's anode-potential stressor ``Ua`` [V] at a state of charge."""
    x = 8.5e-3 + soc * (0.78 - 8.5e-3)
    return float(0.6379 + 0.5416 * np.exp(-305.5309 * x)
                 + 0.044 * np.tanh(-(x - 0.1958) / 0.1088)
                 - 0.1978 * np.tanh((x - 1.0571) / 0.0854)
                 - 0.6875 * np.tanh((x + 0.0117) / 0.0529)
                 - 0.0175 * np.tanh((x - 0.5692) / 0.0875))


def lfp_250ah_prismatic(days: float, temperature_C: float, soc: float) -> float:
    """q = 8.37e4 exp(-5210/T) exp(-3560 Ua/T) t_days^0.526."""
    t_k = temperature_C + 273.15
    k = 8.37e4 * np.exp(-5.21e3 / t_k) * np.exp(-3.56e3 * graphite_potential_V(soc) / t_k)
    return float(k * days**0.526)


def nmc622_denso_50ah(days: float, temperature_C: float, soc: float) -> float:
    """q = b1t sqrt(t_days), b1t = Arrhenius(37 kJ/mol, 25 C) x cubic in SOC (Smith 2021)."""
    t_k = temperature_C + 273.15
    arr = np.exp(-(37000.0 / R_GAS) * (1.0 / t_k - 1.0 / 298.15))
    b1t = arr * (-0.000197 + 0.0101 * soc - 0.0157 * soc**2 + 0.00835 * soc**3
                 - 4.06e-6 * soc * t_k + 3.32e-5 * max(0.0, t_k - 328.15))
    return float(b1t * days**0.5)


def nmc811_lg_m50(days: float, temperature_C: float, soc: float) -> float:
    """q = k_cal (t_days / 1e4)^0.652 with BLAST-Lite's fitted k_cal(T, Ua, soc)."""
    tn = (temperature_C + 273.15) / 308.15
    uan = graphite_potential_V(soc) / 0.123
    k = (-2.39156628786525 + 2.44205317834185 * np.exp(tn**3 / uan ** (1 / 3))
         - 4.45998246136905 * tn**3 / uan**0.5
         + 0.448140062203916 * np.exp(soc**0.5 / tn**2)
         - 0.185337797906876 * np.exp(soc**3))
    return float(k * (days / 1e4) ** 0.651697743905278)


#: The fit each liquid-electrolyte parameter set's calendar ageing is calibrated to.
REFERENCE = {"lfp": lfp_250ah_prismatic, "ncm811": nmc811_lg_m50, "ncm523": nmc622_denso_50ah}
