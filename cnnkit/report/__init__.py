"""Plots and the run report. Knows neither models nor training: it draws plain arrays."""

from cnnkit.report.page import RunReport, write_report

__all__ = ["RunReport", "write_report"]
