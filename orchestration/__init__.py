"""Dagster orchestration, demo-data generator and `cw` command line of customer-warehouse."""
