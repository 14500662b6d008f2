"""BG/NBD and Gamma-Gamma fitted by maximum likelihood, twice per run (docs/clv.md).

calibration: on completed orders up to clv_holdout_days before the as-of date, so that
int_clv_holdout_evaluation can score its predictions on the held-out days; full: on every
completed order up to the as-of date, the fit int_customer_clv_predicted scores customers with.
One row per model, fit and parameter. Too little data (small test sets) gives rows with a null
value and fit_status too_little_data; it never fails the build.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import numpy as np
import pandas as pd

from orchestration import clv

MINIMUM_CUSTOMERS = 50
MINIMUM_REPEAT_CUSTOMERS = 20
PARAMETER_NAMES = {"bg_nbd": ("r", "alpha", "a", "b"), "gamma_gamma": ("p", "q", "gamma")}


def _completed_orders(dbt) -> pd.DataFrame:
    return (
        dbt.ref("int_orders_resolved")
        .filter("is_completed")
        .project("customer_id, ordered_at, cast(net_revenue_usd as double) as value_usd")
        .df()
    )


def _fit_rows(model_name: str, summary: pd.DataFrame) -> tuple[list[dict], str]:
    repeat_customers = int((summary["frequency"] > 0).sum())
    if len(summary) < MINIMUM_CUSTOMERS or repeat_customers < MINIMUM_REPEAT_CUSTOMERS:
        status, result = "too_little_data", None
    else:
        try:
            if model_name == "bg_nbd":
                result = clv.fit_bg_nbd(summary["frequency"], summary["recency"], summary["T"])
            else:
                result = clv.fit_gamma_gamma(summary["frequency"], summary["monetary"])
            status = "fitted" if result.is_converged else "not_converged"
        except (ValueError, FloatingPointError, ArithmeticError):
            status, result = "fit_failed", None
    values = asdict(result.parameters) if result else {}
    rows = [
        {
            "model_name": model_name,
            "parameter_name": name,
            "parameter_value": values.get(name, np.nan),
            "log_likelihood": result.log_likelihood if result else np.nan,
            "customer_count": result.customer_count if result else len(summary),
            "is_converged": bool(result and result.is_converged),
            "fit_status": status,
        }
        for name in PARAMETER_NAMES[model_name]
    ]
    return rows, status


def model(dbt, session):
    dbt.config(materialized="table")
    holdout_days = int(dbt.config.get("clv_holdout_days") or 180)
    as_of_date: date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    orders = _completed_orders(dbt)
    first_order_date = (
        pd.Timestamp(orders["ordered_at"].min()).date() if len(orders) else as_of_date
    )
    calibration_end = as_of_date - timedelta(days=holdout_days)
    fits = {
        "calibration": (calibration_end, as_of_date),
        "full": (as_of_date, None),
    }
    rows = []
    for fit_name, (end_date, holdout_end) in fits.items():
        summary = clv.rfm_summary(orders, pd.Timestamp(end_date))
        for model_name in PARAMETER_NAMES:
            fit_rows, status = _fit_rows(model_name, summary)
            print(f"int_clv_model_fits: {model_name} {fit_name} fit to {end_date}: {status}")
            for row in fit_rows:
                row.update(
                    as_of_date=as_of_date,
                    fit_name=fit_name,
                    calibration_start_date=first_order_date,
                    calibration_end_date=end_date,
                    holdout_end_date=holdout_end,
                )
            rows.extend(fit_rows)
    frame = pd.DataFrame(rows)
    for column in (
        "as_of_date",
        "calibration_start_date",
        "calibration_end_date",
        "holdout_end_date",
    ):
        frame[column] = pd.to_datetime(frame[column])
    return frame.astype({"parameter_value": "float64", "log_likelihood": "float64"})
