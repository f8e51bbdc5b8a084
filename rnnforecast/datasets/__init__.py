"""Example datasets: small offline series from statsmodels and a local M4 reader."""

from rnnforecast.datasets._statsmodels import (
    DATASETS,
    DatasetInfo,
    load_co2,
    load_dataset,
    load_elec_equip,
    load_elnino,
    load_macrodata_realgdp,
    load_nile,
    load_sunspots,
)
from rnnforecast.datasets.m4 import M4_ENV_VAR, M4_SUBSETS, load_m4

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "load_co2",
    "load_dataset",
    "load_elec_equip",
    "load_elnino",
    "load_macrodata_realgdp",
    "load_nile",
    "load_sunspots",
    "load_m4",
    "M4_ENV_VAR",
    "M4_SUBSETS",
]
