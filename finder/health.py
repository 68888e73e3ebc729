"""Liveness and database readiness for load balancers and monitors."""

import logging

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)


def database_is_available() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database is unavailable", exc_info=True)
        return False
    return True
