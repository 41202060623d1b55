"""Table lookups of the fast engine: linear interpolation in stoichiometry tables and bilinear
interpolation in (x, T) tables on the three-segment grids of :mod:`.layout`; the ``scaled*``
forms multiply by the table's factor in ``prm`` (a cell derived with a factor on a function)."""

from __future__ import annotations

from numba import njit

from cellsim.engine.fast import layout as L
from cellsim.engine.fast.constants import FASTMATH


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def lookup1(tab, k, x):
    """Linear interpolation of stoichiometry table ``k`` at ``x``; value and slope."""
    f = x_position(x, L.SGRID_N_EDGE, L.SGRID_N_MID)
    i = min(int(f), tab.shape[1] - 2)
    w = f - i
    lo = tab[k, i]
    hi = tab[k, i + 1]
    return lo + w * (hi - lo), (hi - lo) / _grid_step(f, L.SGRID_N_EDGE, L.SGRID_N_MID)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def t_weights(prm, tab, temp_K):
    """Column index and weight of ``temp_K`` in the (x, T) tables."""
    n = tab.shape[1]
    t0 = prm[L.P_TAB_T_MIN]
    t1 = prm[L.P_TAB_T_MAX]
    f = (min(max(temp_K, t0), t1) - t0) / (t1 - t0) * (n - 1)
    i = min(int(f), n - 2)
    return i, f - i


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def x_position(x, n_edge, n_mid):
    """Fractional index of unit coordinate ``x`` on a three-segment grid (see :mod:`.layout`)."""
    x = min(max(x, 0.0), 1.0)
    e = L.GRID_EDGE
    if x < e:
        return x * (n_edge / e)
    if x < 1.0 - e:
        return n_edge + (x - e) * (n_mid / (1.0 - 2.0 * e))
    return n_edge + n_mid + (x - 1.0 + e) * (n_edge / e)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def _grid_step(f, n_edge, n_mid):
    """Spacing, in unit coordinate, of the grid segment holding fractional index ``f``."""
    if f < n_edge or f >= n_edge + n_mid:
        return L.GRID_EDGE / n_edge
    return (1.0 - 2.0 * L.GRID_EDGE) / n_mid


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def t_interpolated(tab, k, i, it, wt):
    """Values of (x, T) table ``k`` at grid points ``i`` and ``i + 1``, interpolated to the
    temperature given by column ``it`` and weight ``wt``."""
    a = tab[k, it, i] + wt * (tab[k, it + 1, i] - tab[k, it, i])
    b = tab[k, it, i + 1] + wt * (tab[k, it + 1, i + 1] - tab[k, it, i + 1])
    return a, b


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def lookup2d(tab, k, x, it, wt):
    """Bilinear interpolation of (x, T) table ``k`` at unit coordinate ``x``, and its slope
    in ``x`` (``x`` inside [0, 1])."""
    f = x_position(x, L.XGRID_N_EDGE, L.XGRID_N_MID)
    i = min(int(f), tab.shape[2] - 2)
    w = f - i
    a, b = t_interpolated(tab, k, i, it, wt)
    return a + w * (b - a), (b - a) / _grid_step(f, L.XGRID_N_EDGE, L.XGRID_N_MID)


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def lookup2(tab, k, x, it, wt):
    """Bilinear interpolation of (x, T) table ``k`` at unit coordinate ``x``."""
    return lookup2d(tab, k, x, it, wt)[0]



@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def scaled1(prm, tab, k, x):
    """:func:`lookup1` times the table's factor ``prm[P_SCALE_S + k]`` (value and slope)."""
    value, slope = lookup1(tab, k, x)
    factor = prm[L.P_SCALE_S + k]
    return factor * value, factor * slope


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def scaled2d(prm, tab, k, x, it, wt):
    """:func:`lookup2d` times the table's factor ``prm[P_SCALE_X + k]`` (value and slope)."""
    value, slope = lookup2d(tab, k, x, it, wt)
    factor = prm[L.P_SCALE_X + k]
    return factor * value, factor * slope


@njit(cache=True, error_model="numpy", fastmath=FASTMATH)
def scaled2(prm, tab, k, x, it, wt):
    """:func:`lookup2` times the table's factor ``prm[P_SCALE_X + k]``."""
    return prm[L.P_SCALE_X + k] * lookup2d(tab, k, x, it, wt)[0]
