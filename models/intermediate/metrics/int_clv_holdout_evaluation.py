"""How well the calibration fit predicted the held-out days (docs/clv.md).

The calibration BG/NBD and Gamma-Gamma fits (int_clv_model_fits) predict, for each customer who
had bought by the calibration end date, their purchases (days with completed orders) and net
revenue in the clv_holdout_days up to the as-of date; this compares those with what happened.
One row per run. Without a calibration fit the error columns are null and evaluation_status
says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from orchestration import clv


def _calibration(fits: pd.DataFrame, model_name: str) -> tuple[dict[str, float], str]:
    rows = fits[(fits["fit_name"] == "calibration") & (fits["model_name"] == model_name)]
    values = dict(zip(rows["parameter_name"], rows["parameter_value"], strict=True))
    return values, str(rows["fit_status"].iloc[0])


def _holdout_actuals(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Purchase days and net revenue per customer after `start`, up to and including `end`."""
    days = orders.assign(
        purchase_date=pd.to_datetime(orders["ordered_at"]).dt.tz_localize(None).dt.normalize()
    )
    days = days[(days["purchase_date"] > start) & (days["purchase_date"] <= end)]
    return days.groupby("customer_id").agg(
        actual_purchase_count=("purchase_date", "nunique"), actual_revenue_usd=("value_usd", "sum")
    )


def model(dbt, session):
    dbt.config(materialized="table")
    fits = dbt.ref("int_clv_model_fits").df()
    orders = clv.completed_orders(dbt.ref("int_orders_resolved"))
    calibration = fits[fits["fit_name"] == "calibration"].iloc[0]
    calibration_end = pd.Timestamp(calibration["calibration_end_date"])
    holdout_end = pd.Timestamp(calibration["holdout_end_date"])
    summary = clv.rfm_summary(orders, calibration_end)
    actuals = _holdout_actuals(orders, calibration_end, holdout_end)
    actuals = actuals.reindex(summary["customer_id"]).fillna(0.0)
    bg_values, bg_status = _calibration(fits, "bg_nbd")
    gg_values, gg_status = _calibration(fits, "gamma_gamma")
    row = {
        "as_of_date": pd.Timestamp(calibration["as_of_date"]),
        "calibration_end_date": calibration_end,
        "holdout_end_date": holdout_end,
        "holdout_days": int((holdout_end - calibration_end).days),
        "customer_count": len(summary),
        "actual_purchase_count": float(actuals["actual_purchase_count"].sum()),
        "actual_revenue_usd": float(actuals["actual_revenue_usd"].sum()),
        **_baseline(summary, actuals, (holdout_end - calibration_end).days),
        "predicted_purchase_count": np.nan,
        "purchase_count_percentage_error": np.nan,
        "purchase_count_mean_absolute_error": np.nan,
        "predicted_revenue_usd": np.nan,
        "revenue_percentage_error": np.nan,
        "evaluation_status": bg_status if bg_status != "fitted" else gg_status,
    }
    if bg_status == "fitted" and gg_status == "fitted":
        row.update(_errors(summary, actuals, row, bg_values, gg_values))
    return pd.DataFrame([row])


def _baseline(summary: pd.DataFrame, actuals: pd.DataFrame, holdout_days: int) -> dict:
    """A yardstick: every customer keeps buying at their calibration repeat rate, x / T."""
    rate = summary["frequency"] / summary["T"].clip(lower=1)
    errors = clv.prediction_errors(rate * holdout_days, actuals["actual_purchase_count"])
    return {
        "baseline_purchase_count": errors.predicted_total,
        "baseline_mean_absolute_error": errors.mean_absolute_error,
    }


def _errors(summary, actuals, row, bg_values, gg_values) -> dict:
    bg = clv.BgNbdParameters(**bg_values)
    gg = clv.GammaGammaParameters(**gg_values)
    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    predicted = clv.expected_purchases(bg, row["holdout_days"], x, t_x, T)
    spend = clv.conditional_expected_average_spend(gg, x, summary["monetary"])
    purchases = clv.prediction_errors(predicted, actuals["actual_purchase_count"])
    revenue = clv.prediction_errors(predicted * spend, actuals["actual_revenue_usd"])
    return {
        "predicted_purchase_count": purchases.predicted_total,
        "purchase_count_percentage_error": purchases.percentage_error,
        "purchase_count_mean_absolute_error": purchases.mean_absolute_error,
        "predicted_revenue_usd": revenue.predicted_total,
        "revenue_percentage_error": revenue.percentage_error,
        "evaluation_status": "evaluated",
    }
