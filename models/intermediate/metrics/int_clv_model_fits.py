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


def _fit_rows(model_name: str, summary: pd.DataFrame) -> list[dict]:
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
    return rows


def model(dbt, session):
    dbt.config(materialized="table")
    # A bare dbt.config.get call: dbt finds the config keys a Python model reads by parsing its
    # code, and misses a call nested in an expression such as int(... or default).
    holdout_days_config = dbt.config.get("clv_holdout_days")
    holdout_days = int(holdout_days_config if holdout_days_config is not None else 180)
    as_of_date: date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    orders = clv.completed_orders(dbt.ref("int_orders_resolved"))
    calibration_end = as_of_date - timedelta(days=holdout_days)
    fits = {
        "calibration": (calibration_end, as_of_date),
        "full": (as_of_date, None),
    }
    ordered_on = pd.to_datetime(orders["ordered_at"]).dt.normalize()
    rows = []
    for fit_name, (end_date, holdout_end) in fits.items():
        summary = clv.rfm_summary(orders, pd.Timestamp(end_date))
        first_order_date = ordered_on[ordered_on <= pd.Timestamp(end_date)].min()
        for model_name in PARAMETER_NAMES:
            for row in _fit_rows(model_name, summary):
                row.update(
                    as_of_date=as_of_date,
                    fit_name=fit_name,
                    calibration_start_date=first_order_date,
                    calibration_end_date=end_date,
                    holdout_end_date=holdout_end,
                )
                rows.append(row)
    frame = pd.DataFrame(rows)
    for column in (
        "as_of_date",
        "calibration_start_date",
        "calibration_end_date",
        "holdout_end_date",
    ):
        frame[column] = pd.to_datetime(frame[column]).dt.normalize()
    return frame.astype({"parameter_value": "float64", "log_likelihood": "float64"})
