"""The daily job: every asset (ingest gate, dbt build, quality gate, publish, exports)."""

from __future__ import annotations

import dagster as dg

customer_warehouse_daily = dg.define_asset_job(
    name="customer_warehouse_daily",
    selection=dg.AssetSelection.all(),
    description="Ingest gate, dbt build with tests, GX gate, publish, audience exports.",
)

daily_schedule = dg.ScheduleDefinition(
    name="customer_warehouse_daily_schedule",
    job=customer_warehouse_daily,
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
