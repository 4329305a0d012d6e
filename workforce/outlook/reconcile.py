"""Coherent forecasts along the hierarchy region -> sector -> profession.

Forecasts made per node (a region, a region x sector, a region x profession, a bottom series
region x sector x profession) do not add up by themselves. Reconciliation maps the base forecasts
``y_hat`` of all nodes to coherent ones, ``y_tilde = S P y_hat``, where ``S`` is the summing matrix
(nodes x bottom series) and ``P = (S' W^-1 S)^-1 S' W^-1`` projects onto the bottom level. The
error covariance ``W`` comes from the method:

- ``bottom_up``: no projection, the bottom base forecasts are summed (Dunn et al. 1976).
- ``ols``: ``W = I`` (Hyndman, Ahmed, Athanasopoulos & Shang 2011).
- ``wls_struct``: ``W = diag(S 1)``, each node weighted by the number of bottom series it sums
  (Athanasopoulos, Hyndman, Kourentzes & Petropoulos 2017).
- ``mint_shrink``: ``W`` = the covariance of the base forecast errors, shrunk towards its diagonal
  with the data-driven intensity of Schäfer & Strimmer (2005), as in MinT (Wickramasuriya,
  Athanasopoulos & Hyndman 2019).

Every method returns the same numbers when the base forecasts already add up, and the bottom
series of the result sum exactly to every aggregate (aggregates are ``S`` times the bottom).

Intervals are quantiles, and quantiles never add up: coherent intervals come from aggregating
simulated sample paths (:func:`aggregate` on the paths, then quantiles per node), or from
reconciling each path (paths as the columns of ``base`` in :func:`reconcile`).

References:
    Dunn, Williams & DeChaine (1976). Aggregate versus subaggregate models in local area
    forecasting. JASA 71(353), 68-71.
    Hyndman, Ahmed, Athanasopoulos & Shang (2011). Optimal combination forecasts for hierarchical
    time series. Computational Statistics & Data Analysis 55(9), 2579-2589.
    Athanasopoulos, Hyndman, Kourentzes & Petropoulos (2017). Forecasting with temporal
    hierarchies. European Journal of Operational Research 262(1), 60-74.
    Schäfer & Strimmer (2005). A shrinkage approach to large-scale covariance matrix estimation
    and implications for functional genomics. Statistical Applications in Genetics and Molecular
    Biology 4(1), article 32.
    Wickramasuriya, Athanasopoulos & Hyndman (2019). Optimal forecast reconciliation for
    hierarchical and grouped time series through trace minimization. JASA 114(526), 804-819.

Just over 500 lines: the hierarchy, its summing matrix and the methods that use them stay
together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, get_args

import numpy as np
import polars as pl

Method = Literal["bottom_up", "ols", "wls_struct", "mint_shrink"]
METHODS: tuple[Method, ...] = get_args(Method)

WORKFORCE_LEVELS: tuple[tuple[str, ...], ...] = (
    ("region_code",),
    ("region_code", "sector_code"),
    ("region_code", "profession_code"),
    ("region_code", "sector_code", "profession_code"),
)
"""The grouped hierarchy of demand, supply and shortage: region, region x sector,
region x profession, and the bottom region x sector x profession."""
AREA_LEVELS: tuple[tuple[str, ...], ...] = (
    (),
    ("sector_code",),
    ("profession_code",),
    ("sector_code", "profession_code"),
)
"""Levels over all regions together, when the data hold more than one (the area as one
employer): its total (node ``*``, level ``total``), each sector, profession and sector x
profession across the regions (``*/umc``, ``*/*/nurse``, ``*/umc/nurse``); ``region_code`` is
null on these nodes."""


def workforce_levels(regions: int) -> tuple[tuple[str, ...], ...]:
    """The hierarchy's levels for data holding ``regions`` regions."""
    return (*AREA_LEVELS, *WORKFORCE_LEVELS) if regions > 1 else WORKFORCE_LEVELS


SEPARATOR = "/"
WILDCARD = "*"
TOTAL_LEVEL = "total"
_VARIANCE_FLOOR = 1e-8
"""Smallest error variance, relative to the largest: keeps degenerate residuals invertible."""


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """The nodes of a grouped hierarchy and its summing matrix.

    Node ids join the key values in key-column order with ``/``, a ``*`` standing for a key the
    level sums over, trailing ``*`` dropped: with keys ``region_code, sector_code,
    profession_code`` the ids are ``AM13`` (region), ``AM13/umc`` (region x sector),
    ``AM13/*/nurse`` (region x profession) and ``AM13/umc/nurse`` (bottom, the same as the
    ``unique_id`` of :func:`workforce.forecast.demand.demand_series`); the grand total is ``*``.

    Attributes:
        key_columns: the key columns, in the order ids are built from.
        levels: the levels, aggregates in the order given and the bottom (all keys) last.
        nodes: one row per node in the row order of ``summing``: ``node_id``, ``level`` (the
            level's key columns joined with ``/``, or ``total``) and the key columns (null where
            the level sums over that key).
        summing: ``S``, nodes x bottom series, 1.0 where a bottom series adds to a node; its
            last ``n_bottom`` rows are the identity.
    """

    key_columns: tuple[str, ...]
    levels: tuple[tuple[str, ...], ...]
    nodes: pl.DataFrame
    summing: np.ndarray

    @classmethod
    def from_bottom(cls, keys: pl.DataFrame, levels: Sequence[Sequence[str]]) -> Hierarchy:
        """The hierarchy over the distinct bottom keys in ``keys``.

        The key columns are those named in ``levels``, in the column order of ``keys``; the bottom
        level (all key columns) is added when not given. Other columns of ``keys`` (dates,
        values) are ignored, and repeated keys count once, so a long series frame will do.
        """
        named = {column for level in levels for column in level}
        missing = sorted(named - set(keys.columns))
        if missing:
            raise ValueError(f"hierarchy keys lack column(s) {', '.join(missing)}")
        if not named:
            raise ValueError("hierarchy needs at least one level with a key column")
        key_columns = tuple(column for column in keys.columns if column in named)
        bottom = _bottom_keys(keys, key_columns)
        ordered = _ordered_levels(levels, key_columns)
        frames = []
        for level in ordered:
            frames.append(
                bottom.select(
                    node_id=_node_id(level, key_columns),
                    level=pl.lit(SEPARATOR.join(level) or TOTAL_LEVEL),
                    **{
                        column: pl.col(column) if column in level else pl.lit(None, pl.String)
                        for column in key_columns
                    },
                    bottom=pl.col("bottom"),
                )
            )
        edges = pl.concat(frames)
        nodes = edges.drop("bottom").unique("node_id", maintain_order=True)
        level_order = {SEPARATOR.join(level) or TOTAL_LEVEL: i for i, level in enumerate(ordered)}
        nodes = (
            nodes.with_columns(order=pl.col("level").replace_strict(level_order))
            .sort("order", *key_columns, nulls_last=True)
            .drop("order")
            .with_row_index("row")
        )
        edges = edges.join(nodes.select("node_id", "row"), on="node_id")
        summing = np.zeros((nodes.height, bottom.height))
        summing[edges["row"].to_numpy(), edges["bottom"].to_numpy()] = 1.0
        return cls(key_columns, ordered, nodes.drop("row"), summing)

    @property
    def node_ids(self) -> list[str]:
        """All node ids, in row order."""
        return self.nodes["node_id"].to_list()

    @property
    def bottom_ids(self) -> list[str]:
        """The bottom series' ids, in the column order of ``summing``."""
        return self.node_ids[-self.n_bottom :]

    @property
    def n_nodes(self) -> int:
        return int(self.summing.shape[0])

    @property
    def n_bottom(self) -> int:
        return int(self.summing.shape[1])

    def bottom_id(self) -> pl.Expr:
        """Expression building the bottom id from the key columns of a frame."""
        return _node_id(self.key_columns, self.key_columns)


class Shrinkage(NamedTuple):
    """A shrunk covariance and its intensity ``lambda`` in [0, 1] (1 = the diagonal target)."""

    covariance: np.ndarray
    intensity: float


def aggregate(
    bottom: pl.DataFrame,
    hierarchy: Hierarchy,
    value_columns: Sequence[str],
    *,
    by: Sequence[str] = ("ds",),
    id_column: str = "unique_id",
) -> pl.DataFrame:
    """Every node's values as sums of the bottom series (bottom-up): ``id_column, *by, *values``.

    ``bottom`` has one row per bottom series and ``by`` group (e.g. ``ds``, or ``ds, sample``
    for simulated paths), identified by ``id_column`` or else by the key columns. Sum sample
    paths and take quantiles per node afterwards: never sum quantiles, they do not add up.
    Rows come in the node order of the hierarchy, then by ``by``.
    """
    by = list(by)
    values = list(value_columns)
    if id_column not in bottom.columns:
        if not set(hierarchy.key_columns) <= set(bottom.columns):
            raise ValueError(
                f"bottom frame needs column {id_column!r} or the key columns "
                f"{', '.join(hierarchy.key_columns)}"
            )
        bottom = bottom.with_columns(hierarchy.bottom_id().alias(id_column))
    missing = [c for c in (*by, *values) if c not in bottom.columns]
    if missing:
        raise ValueError(f"bottom frame lacks column(s) {', '.join(missing)}")
    bottom = bottom.select(pl.col(id_column).cast(pl.String), *by, pl.col(values).cast(pl.Float64))
    nulls = [c for c in values if bottom[c].null_count() or bottom[c].is_nan().any()]
    if nulls:
        raise ValueError(f"bottom frame has missing values in {', '.join(nulls)}")
    located, groups = _locate(
        bottom, hierarchy.bottom_ids, id_column, by, source="bottom frame", kind="bottom series"
    )
    columns: dict[str, np.ndarray] = {}
    for value in values:
        matrix = _fill(located, value, (hierarchy.n_bottom, groups.height))
        if np.isnan(matrix).any():
            raise ValueError(
                f"{int(np.isnan(matrix).any(axis=0).sum())} group(s) of {', '.join(by) or 'rows'} "
                "lack bottom series; aggregates of an incomplete bottom would not add up"
            )
        columns[value] = (hierarchy.summing @ matrix).ravel()
    result = pl.DataFrame({id_column: np.repeat(hierarchy.node_ids, groups.height)})
    if by:
        keys = groups.select(by)[np.tile(np.arange(groups.height), hierarchy.n_nodes)]
        result = pl.concat([result, keys], how="horizontal")
    return result.with_columns(pl.Series(name, column) for name, column in columns.items())


def shrink_covariance(residuals: np.ndarray) -> Shrinkage:
    """Schäfer-Strimmer shrinkage of the base-error covariance towards its diagonal.

    ``residuals`` is nodes x observations (e.g. one-step in-sample or backtest errors). As in
    MinT, the covariance is the uncentred mean of outer products (a bias counts as error);
    intensity ``lambda = sum Var(r_ij) / sum r_ij**2`` over the off-diagonal correlations of the
    standardised errors, clipped to [0, 1]. Variances are floored at ``1e-8`` of the largest so
    that constant or all-zero residuals still give a positive-definite matrix.
    """
    errors = np.asarray(residuals, dtype=np.float64)
    if errors.ndim != 2:
        raise ValueError("residuals must be a nodes x observations matrix")
    if not np.all(np.isfinite(errors)):
        raise ValueError("residuals must be finite")
    size, count = errors.shape
    if count < 2:
        raise ValueError("shrinkage needs at least two residual observations per node")
    covariance = errors @ errors.T / count
    variances = np.diag(covariance).copy()
    largest = float(variances.max())
    if largest <= 0.0:
        return Shrinkage(np.eye(size), 1.0)
    variances = np.maximum(variances, _VARIANCE_FLOOR * largest)
    np.fill_diagonal(covariance, variances)
    standardised = errors / np.sqrt(variances)[:, None]
    correlation = standardised @ standardised.T / count
    squares = standardised**2
    variance_of_correlation = (squares @ squares.T - correlation**2 * count) / (count * (count - 1))
    off_diagonal = ~np.eye(size, dtype=bool)
    spread = float(np.sum(correlation[off_diagonal] ** 2))
    if spread <= 0.0:
        intensity = 1.0
    else:
        intensity = float(np.sum(variance_of_correlation[off_diagonal]) / spread)
        intensity = min(max(intensity, 0.0), 1.0)
    shrunk = intensity * np.diag(variances) + (1.0 - intensity) * covariance
    return Shrinkage(shrunk, intensity)


def error_covariance(
    hierarchy: Hierarchy, method: Method, residuals: np.ndarray | None = None
) -> np.ndarray:
    """``W`` of a method: nodes x nodes (``bottom_up`` has none; it uses the identity here)."""
    if method not in METHODS:
        raise ValueError(f"unknown reconciliation method {method!r}; use one of {METHODS}")
    if method == "wls_struct":
        return np.diag(hierarchy.summing.sum(axis=1))
    if method == "mint_shrink":
        if residuals is None:
            raise ValueError("mint_shrink needs residuals (nodes x observations)")
        residuals = np.asarray(residuals, dtype=np.float64)
        if residuals.ndim != 2 or residuals.shape[0] != hierarchy.n_nodes:
            raise ValueError(
                f"residuals must have {hierarchy.n_nodes} rows (one per node), "
                f"got shape {residuals.shape}"
            )
        return shrink_covariance(residuals).covariance
    return np.eye(hierarchy.n_nodes)


def reconcile(
    base: np.ndarray,
    hierarchy: Hierarchy,
    method: Method,
    residuals: np.ndarray | None = None,
) -> np.ndarray:
    """Coherent forecasts ``S P base`` for all nodes, in the shape of ``base``.

    ``base`` is nodes x periods (or one vector) in the node order of ``hierarchy``; its columns
    may equally be simulated sample paths, each reconciled on its own. ``residuals`` (nodes x
    observations) are needed for ``mint_shrink`` only. ``bottom_up`` reads the bottom rows only.
    """
    values = np.asarray(base, dtype=np.float64)
    vector = values.ndim == 1
    matrix = values[:, None] if vector else values
    if matrix.ndim != 2 or matrix.shape[0] != hierarchy.n_nodes:
        raise ValueError(
            f"base must have {hierarchy.n_nodes} rows (one per node), got shape {values.shape}"
        )
    summing = hierarchy.summing
    if method == "bottom_up":
        bottom = matrix[-hierarchy.n_bottom :]
        _check_finite(bottom, hierarchy.bottom_ids)
    else:
        _check_finite(matrix, hierarchy.node_ids)
        bottom = _generalised_least_squares(
            summing, error_covariance(hierarchy, method, residuals), matrix
        )
    coherent = np.vstack([summing[: -hierarchy.n_bottom] @ bottom, bottom])
    return coherent[:, 0] if vector else coherent


def reconcile_frame(
    base_long: pl.DataFrame,
    hierarchy: Hierarchy,
    method: Method,
    residuals_long: pl.DataFrame | None = None,
    *,
    observation: Sequence[str] = ("ds",),
) -> pl.DataFrame:
    """Reconcile ``yhat`` of a tidy forecast frame, per ``model``; add a ``reconciliation`` column.

    ``base_long`` has ``unique_id`` (node ids), ``ds``, ``yhat`` and optionally ``model`` and
    interval columns, with every node at every ``ds``. Intervals are moved by each node's
    adjustment of ``yhat``, keeping the base widths: they are not coherent (quantiles never add
    up; aggregate sample paths for coherent intervals). ``residuals_long`` (for ``mint_shrink``)
    has ``unique_id``, the ``observation`` columns and ``residual`` (or ``y`` and ``yhat``),
    optionally per ``model``; observations lacking a node are left out.
    """
    missing = [c for c in ("unique_id", "ds", "yhat") if c not in base_long.columns]
    if missing:
        raise ValueError(f"base forecasts lack column(s) {', '.join(missing)}")
    if method == "mint_shrink" and residuals_long is None:
        raise ValueError("mint_shrink needs residuals_long")
    has_model = "model" in base_long.columns
    frame = base_long if has_model else base_long.with_columns(model=pl.lit(""))
    results = []
    for (model,), group in frame.group_by("model", maintain_order=True):
        group, periods = _locate(
            group, hierarchy.node_ids, "unique_id", ["ds"], source="base forecasts"
        )
        matrix = _fill(group, "yhat", (hierarchy.n_nodes, periods.height))
        if np.isnan(matrix).any():
            row = int(np.flatnonzero(np.isnan(matrix).any(axis=1))[0])
            raise ValueError(
                f"base forecasts: node {hierarchy.node_ids[row]!r} lacks a forecast for some "
                "periods; every node needs one for every ds"
            )
        residuals = None
        if method == "mint_shrink" and residuals_long is not None:
            residuals = _residual_matrix(residuals_long, hierarchy, str(model), observation)
        coherent = reconcile(matrix, hierarchy, method, residuals)
        adjustment = pl.DataFrame(
            {
                "_row": np.repeat(np.arange(hierarchy.n_nodes, dtype=np.int64), periods.height),
                "_column": np.tile(np.arange(periods.height, dtype=np.int64), hierarchy.n_nodes),
                "_adjustment": (coherent - matrix).ravel(),
            }
        )
        group = group.join(adjustment, on=["_row", "_column"])
        shifted = [
            c for c in group.columns if c == "yhat" or c.startswith(("yhat_lo_", "yhat_hi_"))
        ]
        results.append(
            group.with_columns(pl.col(shifted) + pl.col("_adjustment"))
            .sort("_row", "ds")
            .drop("_row", "_column", "_adjustment")
        )
    result = pl.concat(results).with_columns(reconciliation=pl.lit(method))
    return result if has_model else result.drop("model")


def _bottom_keys(keys: pl.DataFrame, key_columns: tuple[str, ...]) -> pl.DataFrame:
    bottom = keys.select(pl.col(key_columns).cast(pl.String)).unique().sort(key_columns)
    if bottom.height == 0:
        raise ValueError("hierarchy keys are empty")
    for column in key_columns:
        values = bottom[column]
        if values.null_count():
            raise ValueError(f"hierarchy key column {column!r} has missing values")
        bad = values.filter(
            (values.str.len_chars() == 0)
            | values.str.contains(SEPARATOR, literal=True)
            | values.str.contains(WILDCARD, literal=True)
        )
        if bad.len():
            raise ValueError(
                f"hierarchy key column {column!r} has value {bad[0]!r}; keys must be non-empty "
                f"and free of {SEPARATOR!r} and {WILDCARD!r}"
            )
    return bottom.with_row_index("bottom")


def _ordered_levels(
    levels: Sequence[Sequence[str]], key_columns: tuple[str, ...]
) -> tuple[tuple[str, ...], ...]:
    ordered: list[tuple[str, ...]] = []
    for level in levels:
        if isinstance(level, str):
            raise ValueError(f"level {level!r} must be a sequence of column names")
        normalised = tuple(column for column in key_columns if column in level)
        if normalised in ordered:
            raise ValueError(f"level {list(level)} is given twice")
        ordered.append(normalised)
    if key_columns in ordered:
        ordered.remove(key_columns)
    return (*ordered, key_columns)


def _node_id(level: Sequence[str], key_columns: Sequence[str]) -> pl.Expr:
    parts = [pl.col(c) if c in level else pl.lit(WILDCARD) for c in key_columns]
    joined = pl.concat_str(parts, separator=SEPARATOR)
    trimmed = joined.str.replace(rf"(?:{SEPARATOR}\{WILDCARD})+$", "")
    return trimmed.cast(pl.String)


def _check_finite(matrix: np.ndarray, ids: Sequence[str]) -> None:
    bad = ~np.all(np.isfinite(matrix), axis=1)
    if bad.any():
        names = [ids[i] for i in np.flatnonzero(bad)[:5]]
        raise ValueError(f"base forecasts are missing or not finite for {', '.join(names)}")


def _generalised_least_squares(
    summing: np.ndarray, covariance: np.ndarray, base: np.ndarray
) -> np.ndarray:
    """Bottom forecasts ``(S' W^-1 S)^-1 S' W^-1 base``, by least squares on whitened rows.

    Whitening with the symmetric inverse square root of ``W`` (eigenvalues floored at ``1e-8``
    of the largest) avoids forming ``W^-1`` and ``(S' W^-1 S)^-1``, and stays finite when ``W``
    is singular.
    """
    if np.count_nonzero(covariance - np.diag(np.diag(covariance))) == 0:
        variances = np.diag(covariance)
        scale = 1.0 / np.sqrt(np.maximum(variances, _VARIANCE_FLOOR * variances.max()))
        whitened, target = summing * scale[:, None], base * scale[:, None]
    else:
        symmetric = (covariance + covariance.T) / 2.0
        eigenvalues, eigenvectors = np.linalg.eigh(symmetric)
        floor = _VARIANCE_FLOOR * max(float(eigenvalues.max()), np.finfo(float).tiny)
        inverse_root = (eigenvectors / np.sqrt(np.maximum(eigenvalues, floor))) @ eigenvectors.T
        whitened, target = inverse_root @ summing, inverse_root @ base
    solution, *_ = np.linalg.lstsq(whitened, target, rcond=None)
    return np.asarray(solution)


def _locate(
    frame: pl.DataFrame,
    ids: Sequence[str],
    id_column: str,
    by: Sequence[str],
    *,
    source: str,
    kind: str = "nodes",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``frame`` with ``_row`` (position of its id in ``ids``) and ``_column`` (rank of its
    ``by`` values), and the distinct ``by`` values in column order."""
    positions = pl.DataFrame(
        {id_column: list(ids), "_row": np.arange(len(ids), dtype=np.int64)},
        schema={id_column: pl.String, "_row": pl.Int64},
    )
    located = frame.with_columns(pl.col(id_column).cast(pl.String)).join(
        positions, on=id_column, how="left"
    )
    unknown = located.filter(pl.col("_row").is_null())[id_column].unique().sort()
    if unknown.len():
        raise ValueError(f"{source}: not {kind} of the hierarchy: {', '.join(unknown[:5])}")
    keys = list(by)
    if located.select(pl.struct("_row", *keys).is_duplicated().any()).item():
        raise ValueError(f"{source}: repeated {', '.join([id_column, *keys])}")
    if not keys:
        return located.with_columns(_column=pl.lit(0, pl.Int64)), pl.DataFrame({"_column": [0]})
    groups = located.select(keys).unique().sort(keys).with_row_index("_column")
    groups = groups.with_columns(pl.col("_column").cast(pl.Int64))
    return located.join(groups, on=keys), groups


def _fill(located: pl.DataFrame, value: str, shape: tuple[int, int]) -> np.ndarray:
    """Rows x columns matrix of ``value`` from :func:`_locate` output; NaN where absent."""
    matrix = np.full(shape, np.nan)
    matrix[located["_row"].to_numpy(), located["_column"].to_numpy()] = (
        located[value].cast(pl.Float64).to_numpy()
    )
    return matrix


def _residual_matrix(
    residuals_long: pl.DataFrame, hierarchy: Hierarchy, model: str, observation: Sequence[str]
) -> np.ndarray:
    frame = residuals_long
    if "model" in frame.columns:
        frame = frame.filter(pl.col("model") == model)
        if frame.height == 0:
            raise ValueError(f"residuals: none for model {model!r}")
    if "residual" not in frame.columns:
        if not {"y", "yhat"} <= set(frame.columns):
            raise ValueError("residuals need a column 'residual', or 'y' and 'yhat'")
        frame = frame.with_columns(residual=pl.col("y") - pl.col("yhat"))
    missing = [c for c in ("unique_id", *observation) if c not in frame.columns]
    if missing:
        raise ValueError(f"residuals lack column(s) {', '.join(missing)}")
    located, groups = _locate(
        frame, hierarchy.node_ids, "unique_id", observation, source="residuals"
    )
    matrix = _fill(located, "residual", (hierarchy.n_nodes, groups.height))
    complete = matrix[:, np.all(np.isfinite(matrix), axis=0)]
    if complete.shape[1] < 2:
        raise ValueError(
            "residuals: fewer than two observations have a finite residual for every node"
        )
    return complete
