"""/healthz and /readyz, for load balancers, orchestrators and monitoring.

/healthz says the process is up and answering. /readyz says whether this instance can serve
figures: the warehouse opens and answers a query, with its data version and how old it is. Both
are open to callers without a session and say nothing about any child or figure.
"""

from __future__ import annotations

from datetime import date

from flask import Flask, jsonify

from app.state import reader
from warehouse.db import WarehouseError


def healthz():
    return jsonify(status="ok")


def readyz():
    try:
        status = reader().query("data_status").iloc[0]
    except WarehouseError:
        return jsonify(status="not ready", reason="the warehouse cannot be read"), 503
    as_at = status["data_as_at"]
    covered_to = as_at.date() if as_at is not None else None
    return jsonify(
        status="ready",
        data_version=None if status["data_version"] is None else int(status["data_version"]),
        data_as_at=covered_to.isoformat() if covered_to else None,
        data_age_days=(date.today() - covered_to).days if covered_to else None,
        last_load_at=status["last_load_at"].isoformat(timespec="seconds")
        if status["last_load_at"] is not None
        else None,
    )


def install_health(server: Flask) -> None:
    server.add_url_rule("/healthz", "healthz", healthz)
    server.add_url_rule("/readyz", "readyz", readyz)
