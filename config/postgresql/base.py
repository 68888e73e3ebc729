"""Django's PostgreSQL backend, with a health check that needs no round trip while the
connection is idle and nothing has arrived on it.

With CONN_HEALTH_CHECKS, Django asks the server `SELECT 1` before a connection's first query
in each request, so that a connection the server ended between requests (a restart,
`pg_terminate_backend`, an idle timeout) is replaced instead of failing that request. A
server that ends a session sends its error and closes its end, which makes the socket
readable; between requests nothing else is expected on it. So: an idle connection with
nothing to read is usable, and anything else is asked `SELECT 1`, as Django asks.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


def readable(fileno: int) -> bool:
    """Whether data waits to be read on the socket, without waiting for any."""
    poller = select.poll()  # not select(): that fails for descriptors above 1023
    poller.register(fileno, select.POLLIN)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status == TransactionStatus.IDLE and not readable(
            connection.fileno()
        ):
            return True
        return super().is_usable()
