"""Predictive customer lifetime value: BG/NBD for purchases, Gamma-Gamma for spend.

A small scipy implementation of two published models, fitted by maximum likelihood:

- BG/NBD (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while alive, a
  customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each repeat purchase they drop
  out with probability p ~ Beta(a, b). Gives expected purchases in the next t periods and the
  probability that a customer is still alive.
- Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves"): a customer's
  transaction values are Gamma(p, nu) around their own mean, nu ~ Gamma(q, gamma). Gives the
  expected average order value given the customer's observed mean. It assumes that spend per
  transaction is independent of how often a customer buys; it is fitted on repeat buyers only.

Why not a library: `lifetimes` has had no release since 2020 and nobody will fix it when a numpy,
pandas or scipy release breaks it; pymc-marketing brings PyMC, PyTensor and ArviZ for what are
four closed-form formulas. The functions here are short, pure and tested against data simulated
from known parameters (tests/test_clv.py); they also reproduce the published CDNOW estimates.
See docs/clv.md.

Time is measured in days throughout; a "purchase" is a day with at least one completed order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

SUMMARY_COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary"]


@dataclass(frozen=True)
class BgNbdParameters:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParameters:
    p: float
    q: float
    gamma: float


@dataclass(frozen=True)
class FitResult:
    """A maximum likelihood fit: parameters, total log-likelihood, customers used, convergence."""

    parameters: BgNbdParameters | GammaGammaParameters
    log_likelihood: float
    customer_count: int
    is_converged: bool


# --------------------------------------------------------------------------------------------
# BG/NBD


class DistinctValues:
    """A per-customer array with each distinct value kept once.

    A function of one column with few values (the repeat-purchase count x takes a few dozen
    among a million customers; recency and T, in whole days, a few thousand) is computed per
    distinct value and gathered back: gammaln, betaln and logarithms over a million customers
    were most of every likelihood evaluation, and a fit makes hundreds. Same numbers, element by
    element, as applying the function to every customer.
    """

    def __init__(self, values: np.ndarray) -> None:
        self.values = np.asarray(values, dtype=float)
        self.distinct, self.positions = np.unique(self.values, return_inverse=True)

    @classmethod
    def of(cls, values: np.ndarray | DistinctValues) -> DistinctValues:
        return values if isinstance(values, DistinctValues) else cls(values)

    def apply(self, function) -> np.ndarray:
        return np.asarray(function(self.distinct))[self.positions]


def bg_nbd_log_likelihood(
    parameters: BgNbdParameters,
    frequency: np.ndarray | DistinctValues,
    recency: np.ndarray | DistinctValues,
    T: np.ndarray | DistinctValues,
) -> np.ndarray:
    """Per-customer log-likelihood (FHL 2005, equation 6), in log space throughout."""
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    counts = DistinctValues.of(frequency)
    x = counts.values
    beta_ab = special.betaln(a, b)
    common = (
        counts.apply(lambda x: special.gammaln(r + x)) - special.gammaln(r) + r * math.log(alpha)
    )
    alive = (
        counts.apply(lambda x: special.betaln(a, b + x))
        - beta_ab
        - (r + x) * DistinctValues.of(T).apply(lambda T: np.log(alpha + T))
    )
    # Dropped out right after the last repeat purchase; impossible without one.
    dropped = np.where(
        x > 0,
        counts.apply(lambda x: special.betaln(a + 1, np.maximum(b + x - 1, 1e-12)))
        - beta_ab
        - (r + x) * DistinctValues.of(recency).apply(lambda t_x: np.log(alpha + t_x)),
        -np.inf,
    )
    return common + np.logaddexp(alive, dropped)


def probability_alive(
    parameters: BgNbdParameters,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """P(still alive at T | x, t_x, T) (FHL 2005, equation 11); 1 for customers without repeats."""
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    x = np.asarray(frequency, dtype=float)
    log_odds_dead = (
        np.log(a)
        - np.log(np.maximum(b + x - 1, 1e-12))
        + (r + x) * (np.log(alpha + np.asarray(T, float)) - np.log(alpha + np.asarray(recency)))
    )
    return np.where(x > 0, special.expit(-log_odds_dead), 1.0)


def expected_purchases(
    parameters: BgNbdParameters,
    t: float,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """Expected purchases in the next t days given (x, t_x, T) (FHL 2005, equation 10).

    The ((alpha+T)/(alpha+T+t))^(r+x) * 2F1(r+x, b+x; a+b+x-1; z) term is rewritten with Euler's
    transformation as (1-z)^(a-1) * 2F1(a+b-1-r, a-1; a+b+x-1; z), which stays finite for
    frequent buyers where the original hypergeometric series diverges towards z = 1.
    """
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    x = np.asarray(frequency, dtype=float)
    T = np.asarray(T, dtype=float)
    if t <= 0:
        return np.zeros_like(x)
    z = t / (alpha + T + t)
    tail = (1 - z) ** (a - 1) * special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    numerator = (a + b + x - 1) / (a - 1) * (1 - tail)
    return numerator * probability_alive(parameters, x, recency, T)


def _fit(
    negative_log_likelihood, start: np.ndarray, customer_count: int
) -> tuple[np.ndarray, float, bool]:
    result = optimize.minimize(
        negative_log_likelihood,
        start,
        method="L-BFGS-B",
        bounds=[(-12.0, 12.0)] * len(start),
        options={"maxiter": 2000},
    )
    return np.exp(result.x), -float(result.fun) * customer_count, bool(result.success)


def fit_bg_nbd(frequency: np.ndarray, recency: np.ndarray, T: np.ndarray) -> FitResult:
    """Maximum likelihood for (r, alpha, a, b), optimised over their logarithms."""
    x, t_x, T = (np.asarray(values, dtype=float) for values in (frequency, recency, T))
    count = len(x)
    counts, recencies, ages = DistinctValues(x), DistinctValues(t_x), DistinctValues(T)

    def negative_mean(log_parameters: np.ndarray) -> float:
        parameters = BgNbdParameters(*np.exp(log_parameters))
        value = -float(np.mean(bg_nbd_log_likelihood(parameters, counts, recencies, ages)))
        return value if math.isfinite(value) else 1e12

    # alpha starts at the mean observation length: the rate's scale is then about right.
    start = np.log([1.0, max(float(np.mean(T)), 1.0), 1.0, 1.0])
    values, log_likelihood, converged = _fit(negative_mean, start, count)
    return FitResult(BgNbdParameters(*map(float, values)), log_likelihood, count, converged)


# --------------------------------------------------------------------------------------------
# Gamma-Gamma


def gamma_gamma_log_likelihood(
    parameters: GammaGammaParameters,
    frequency: np.ndarray | DistinctValues,
    monetary: np.ndarray,
) -> np.ndarray:
    """Per-customer log-likelihood of the mean transaction value m over x transactions."""
    p, q, gamma = parameters.p, parameters.q, parameters.gamma
    counts = DistinctValues.of(frequency)
    x = counts.values
    m = np.asarray(monetary, dtype=float)
    return (
        counts.apply(lambda x: special.gammaln(p * x + q) - special.gammaln(p * x))
        - special.gammaln(q)
        + q * math.log(gamma)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(gamma + m * x)
    )


def conditional_expected_average_spend(
    parameters: GammaGammaParameters, frequency: np.ndarray, monetary: np.ndarray
) -> np.ndarray:
    """E[mean spend | x, m_x] = p (gamma + x m_x) / (p x + q - 1).

    With x = 0 this is the population mean p gamma / (q - 1). Customers whose observed mean is not
    positive (fully refunded repeat orders) carry no usable spend evidence and get that mean too.
    """
    p, q, gamma = parameters.p, parameters.q, parameters.gamma
    m = np.asarray(monetary, dtype=float)
    x = np.where(m > 0, np.asarray(frequency, dtype=float), 0.0)
    m = np.where(m > 0, m, 0.0)
    return p * (gamma + x * m) / (p * x + q - 1)


def fit_gamma_gamma(frequency: np.ndarray, monetary: np.ndarray) -> FitResult:
    """Maximum likelihood for (p, q, gamma) on repeat buyers with a positive mean spend."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    usable = (x > 0) & (m > 0)
    x, m = x[usable], m[usable]
    count = len(x)
    counts = DistinctValues(x)

    def negative_mean(log_parameters: np.ndarray) -> float:
        parameters = GammaGammaParameters(*np.exp(log_parameters))
        value = -float(np.mean(gamma_gamma_log_likelihood(parameters, counts, m)))
        return value if math.isfinite(value) else 1e12

    start = np.log([1.0, 2.0, max(float(np.mean(m)), 1.0)])
    values, log_likelihood, converged = _fit(negative_mean, start, count)
    return FitResult(GammaGammaParameters(*map(float, values)), log_likelihood, count, converged)


# --------------------------------------------------------------------------------------------
# Data: summary of an order history, and simulation from known parameters


def completed_orders(orders_resolved) -> pd.DataFrame:
    """Completed orders (customer_id, ordered_at, value_usd) from int_orders_resolved, sorted.

    `orders_resolved` is the DuckDB relation a Python model gets from dbt.ref. The rows come back
    in one fixed order: a float sum depends on the order it adds in, and the warehouse hands
    rows over in any order, so unsorted input could change a total in its last digit.
    """
    return (
        orders_resolved.filter("is_completed")
        .project("customer_id, ordered_at, cast(net_revenue_usd as double) as value_usd")
        .order("customer_id, ordered_at, value_usd")
        .df()
    )


def rfm_summary(
    orders: pd.DataFrame,
    observation_end: pd.Timestamp,
    observation_start: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Frequency, recency, T and monetary value per customer, in days, from an order history.

    `orders` has customer_id, ordered_at and value_usd. Orders after `observation_end` (a date:
    the whole day counts) are ignored, and so are customers whose first order is before
    `observation_start` when given. A purchase is a calendar day with orders, its value the sum
    of that day's orders: frequency = purchase days - 1 (repeat purchases), recency = days from
    the first to the last purchase, T = days from the first purchase to observation_end,
    monetary = mean value of the repeat purchase days (0 without a repeat purchase).
    """
    end = pd.Timestamp(observation_end).normalize()
    frame = orders.loc[:, ["customer_id", "ordered_at", "value_usd"]].copy()
    frame["purchase_date"] = pd.to_datetime(frame["ordered_at"]).dt.tz_localize(None).dt.normalize()
    # Sorted first: a day's orders are then always summed in the same order, and a float sum
    # depends on its order, while the warehouse hands rows over in any order.
    frame = frame[frame["purchase_date"] <= end].sort_values(
        ["customer_id", "purchase_date", "value_usd"], kind="stable"
    )
    days = (
        frame.groupby(["customer_id", "purchase_date"], as_index=False)["value_usd"]
        .sum()
        .sort_values(["customer_id", "purchase_date"])
    )
    days["value_usd"] = days["value_usd"].astype(float)
    days["purchase_number"] = days.groupby("customer_id").cumcount()
    grouped = days.groupby("customer_id")
    summary = pd.DataFrame(
        {
            "first_date": grouped["purchase_date"].min(),
            "last_date": grouped["purchase_date"].max(),
            "frequency": grouped.size() - 1,
        }
    )
    if observation_start is not None:
        summary = summary[summary["first_date"] >= pd.Timestamp(observation_start).normalize()]
    repeat_values = days[days["purchase_number"] > 0].groupby("customer_id")["value_usd"].mean()
    summary["monetary"] = repeat_values.reindex(summary.index).fillna(0.0)
    summary["recency"] = (summary["last_date"] - summary["first_date"]).dt.days.astype(float)
    summary["T"] = (end - summary["first_date"]).dt.days.astype(float)
    summary["frequency"] = summary["frequency"].astype(float)
    return summary.reset_index()[SUMMARY_COLUMNS]


def simulate_customers(
    bg_nbd: BgNbdParameters,
    gamma_gamma: GammaGammaParameters,
    customer_count: int,
    observation_days: tuple[float, float],
    seed: int,
    holdout_days: float = 0.0,
) -> pd.DataFrame:
    """Customers drawn from the two models, with their (x, t_x, T, m) summary.

    Each customer makes a first purchase at time 0 and is observed for T ~ Uniform(observation
    days). Repeat purchases are found in continuous time, as the models assume. With
    holdout_days, holdout_frequency counts the purchases in (T, T + holdout_days].
    """
    rng = np.random.default_rng(seed)
    rates = rng.gamma(bg_nbd.r, 1.0 / bg_nbd.alpha, customer_count)
    dropout = rng.beta(bg_nbd.a, bg_nbd.b, customer_count)
    spend_scale = rng.gamma(gamma_gamma.q, 1.0 / gamma_gamma.gamma, customer_count)
    T = rng.uniform(*observation_days, customer_count)
    rows = []
    for index in range(customer_count):
        times = _purchase_times(rng, rates[index], dropout[index], T[index] + holdout_days)
        observed = times[times <= T[index]]
        values = rng.gamma(gamma_gamma.p, 1.0 / spend_scale[index], len(observed))
        rows.append(
            (
                index,
                float(len(observed)),
                float(observed[-1]) if len(observed) else 0.0,
                float(T[index]),
                float(values.mean()) if len(observed) else 0.0,
                float(len(times) - len(observed)),
            )
        )
    return pd.DataFrame(rows, columns=[*SUMMARY_COLUMNS, "holdout_frequency"])


def _purchase_times(
    rng: np.random.Generator, rate: float, dropout: float, horizon: float
) -> np.ndarray:
    """Repeat purchase times up to `horizon`; after each one the customer leaves w.p. dropout."""
    times: list[float] = []
    moment = 0.0
    while True:
        moment += rng.exponential(1.0 / rate)
        if moment > horizon:
            break
        times.append(moment)
        if rng.random() < dropout:
            break
    return np.array(times)


# --------------------------------------------------------------------------------------------
# Lifetime value


def discounted_expected_purchases(
    parameters: BgNbdParameters,
    horizon_days: float,
    frequency: np.ndarray,
    recency: np.ndarray,
    T: np.ndarray,
    annual_discount_rate: float = 0.0,
    step_days: float = 30.0,
) -> np.ndarray:
    """Expected purchases over the horizon, each period's discounted to today.

    The horizon is cut into steps of about step_days; purchases expected in a step are discounted
    at (1 + rate) ** (step end in years). With a zero rate this is expected_purchases(horizon).
    """
    steps = max(1, math.ceil(horizon_days / step_days))
    boundaries = np.linspace(0.0, horizon_days, steps + 1)
    total = np.zeros(len(np.asarray(frequency)))
    previous = total
    for end in boundaries[1:]:
        cumulative = expected_purchases(parameters, float(end), frequency, recency, T)
        total = total + (cumulative - previous) / (1 + annual_discount_rate) ** (end / 365.0)
        previous = cumulative
    return total


@dataclass(frozen=True)
class PredictionErrors:
    predicted_total: float
    actual_total: float
    percentage_error: float
    mean_absolute_error: float


def prediction_errors(predicted: np.ndarray, actual: np.ndarray) -> PredictionErrors:
    """Totals, 100 x (predicted - actual) / actual of the totals, and the per-customer MAE.

    The percentage error is NaN when nothing happened (actual total 0), the MAE without customers.
    """
    predicted = np.asarray(predicted, dtype=float)
    actual = np.asarray(actual, dtype=float)
    predicted_total, actual_total = float(predicted.sum()), float(actual.sum())
    return PredictionErrors(
        predicted_total=predicted_total,
        actual_total=actual_total,
        percentage_error=100 * (predicted_total - actual_total) / actual_total
        if actual_total
        else math.nan,
        mean_absolute_error=float(np.mean(np.abs(predicted - actual))) if len(actual) else math.nan,
    )
