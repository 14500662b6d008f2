"""Per-customer predictions from the full BG/NBD and Gamma-Gamma fits (docs/clv.md).

One row per customer with a completed order on or before the as-of date: their RFM-T summary,
expected purchases over clv_horizon_days, probability of being alive, expected average order
value and predicted CLV (discounted at clv_annual_discount_rate). When either fit is missing
(too little data) or did not converge, the predictions are null and prediction_status says why.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from orchestration import clv


def _parameters(fits: pd.DataFrame, model_name: str) -> tuple[dict[str, float], str]:
    rows = fits[(fits["fit_name"] == "full") & (fits["model_name"] == model_name)]
    status = str(rows["fit_status"].iloc[0]) if len(rows) else "missing"
    values = dict(zip(rows["parameter_name"], rows["parameter_value"], strict=True))
    return values, status


def model(dbt, session):
    dbt.config(materialized="table")
    # Bare dbt.config.get calls: dbt finds the config keys a Python model reads by parsing its
    # code, and misses a call nested in an expression such as float(... or default).
    horizon_config = dbt.config.get("clv_horizon_days")
    discount_config = dbt.config.get("clv_annual_discount_rate")
    horizon_days = float(horizon_config if horizon_config is not None else 365)
    discount_rate = float(discount_config if discount_config is not None else 0)
    as_of_date: date = dbt.ref("int_as_of_date").df()["as_of_date"].iloc[0]
    orders = clv.completed_orders(dbt.ref("int_orders_resolved"))
    fits = dbt.ref("int_clv_model_fits").df()
    summary = clv.rfm_summary(orders, pd.Timestamp(as_of_date))
    bg_values, bg_status = _parameters(fits, "bg_nbd")
    gg_values, gg_status = _parameters(fits, "gamma_gamma")
    output = pd.DataFrame(
        {
            "customer_id": summary["customer_id"].astype(str),
            "repeat_purchase_count": summary["frequency"].astype("int64"),
            "recency_days": summary["recency"].astype("int64"),
            "customer_age_days": summary["T"].astype("int64"),
            "average_repeat_purchase_value_usd": summary["monetary"].where(
                summary["frequency"] > 0
            ),
        }
    )
    is_fitted = bg_status == "fitted" and gg_status == "fitted"
    if not is_fitted:
        status = bg_status if bg_status != "fitted" else gg_status
        for column in (
            "expected_purchase_count",
            "probability_alive",
            "expected_average_order_value_usd",
            "predicted_clv_usd",
        ):
            output[column] = np.nan
        output["prediction_status"] = status
        return output
    bg = clv.BgNbdParameters(**bg_values)
    gg = clv.GammaGammaParameters(**gg_values)
    x, t_x, T = summary["frequency"], summary["recency"], summary["T"]
    output["expected_purchase_count"] = clv.expected_purchases(bg, horizon_days, x, t_x, T)
    output["probability_alive"] = clv.probability_alive(bg, x, t_x, T)
    spend = clv.conditional_expected_average_spend(gg, x, summary["monetary"])
    output["expected_average_order_value_usd"] = spend
    output["predicted_clv_usd"] = spend * clv.discounted_expected_purchases(
        bg, horizon_days, x, t_x, T, annual_discount_rate=discount_rate
    )
    output["prediction_status"] = "predicted"
    return output
