"""One colour per chemistry, one line style per condition: the look every cellsim figure shares.

Colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"; Wong 2011,
Nature Methods 8:441, doi:10.1038/nmeth.1618), distinguishable with the common colour-vision
deficiencies. The shipped chemistries always get the same colour, in every figure and notebook;
any other cell (a user file, a BPX cell, a fitted cell) gets one of the remaining colours,
chosen from its name so it is stable from run to run, and :func:`colors_for` makes the
colours of one figure unique.

>>> color_for("ncm811")
'#0072B2'
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Iterable, Sequence

CHEMISTRY_COLORS: dict[str, str] = {
    "ncm811": "#0072B2",  # blue
    "ncm523": "#009E73",  # bluish green
    "lfp": "#E69F00",  # orange
    "solid_state": "#CC79A7",  # reddish purple
}
# Okabe-Ito colours left for other cells (yellow #F0E442 is left out: too light on white).
OTHER_COLORS: tuple[str, ...] = ("#D55E00", "#56B4E9", "#000000", "#999999")
# Line styles of conditions (C-rate, temperature, charger power, climate), in order of use.
LINESTYLES: tuple[str | tuple, ...] = ("-", "--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)))


def color_for(name: str) -> str:
    """The colour of a chemistry or cell name: fixed for the shipped chemistries, otherwise one
    of :data:`OTHER_COLORS` picked from the name (stable across runs and processes)."""
    if name in CHEMISTRY_COLORS:
        return CHEMISTRY_COLORS[name]
    return OTHER_COLORS[zlib.crc32(name.encode()) % len(OTHER_COLORS)]


def colors_for(names: Iterable[str]) -> dict[str, str]:
    """Colours of the distinct ``names`` of one figure, unique as long as there are at most
    ``len(CHEMISTRY_COLORS) + len(OTHER_COLORS)`` names: shipped chemistries keep theirs, other
    names take :func:`color_for` unless a colour is already used, then the next free one."""
    unique = list(dict.fromkeys(names))
    chosen = {n: CHEMISTRY_COLORS[n] for n in unique if n in CHEMISTRY_COLORS}
    free = [c for c in OTHER_COLORS + tuple(CHEMISTRY_COLORS.values())
            if c not in chosen.values()]
    for name in unique:
        if name in chosen:
            continue
        preferred = color_for(name)
        color = preferred if preferred in free else (free[0] if free else preferred)
        chosen[name] = color
        if color in free:
            free.remove(color)
    return {name: chosen[name] for name in unique}


def linestyles_for(conditions: Sequence[Hashable]) -> dict[Hashable, str | tuple]:
    """A line style per distinct condition, in order of first appearance (cycling after six)."""
    unique = list(dict.fromkeys(conditions))
    return {c: LINESTYLES[i % len(LINESTYLES)] for i, c in enumerate(unique)}
