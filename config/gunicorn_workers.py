"""gunicorn's sync worker, with one idle worker woken per new connection instead of all of them.

The stock sync worker waits in select() on the shared listening socket, so every idle worker
wakes for each connection and all but one find nothing to accept (the thundering herd). Each
connection then lands on whichever worker won the race, so a quiet site's requests rotate
through every worker, each with its caches gone cold since its last turn: with four workers a
request one at a time costs gunicorn up to a third more than with one (docs/performance.md).

Here each worker waits in epoll with EPOLLEXCLUSIVE (Linux 4.5+), as nginx does: the kernel
wakes one waiting worker per connection, and the same one (the first to register) whenever it
is idle. Under load every worker is busy and takes connections as before.
"""

import errno
import os
import select

from gunicorn.workers.sync import StopWaiting, SyncWorker

# Where epoll or its exclusive flag is missing (not Linux), gunicorn.conf.py keeps the stock
# sync worker; a kernel older than 4.5 refuses the flag, and then every waiter wakes as before.
AVAILABLE = hasattr(select, "epoll") and hasattr(select, "EPOLLEXCLUSIVE")


class ExclusiveWakeupSyncWorker(SyncWorker):
    poller: "select.epoll | None" = None

    def wait(self, timeout):
        """What SyncWorker.wait() returns (the ready listeners, and the signal pipe's read end
        when a signal arrived), waiting in this worker's epoll instead of select()."""
        poller = self.poller or self.open_poller()
        self.notify()
        try:
            events = poller.poll(timeout)
        except OSError as exc:
            if exc.errno == errno.EBADF:  # the poller is gone: the worker is shutting down
                raise StopWaiting from exc
            raise
        ready = []
        for fd, _mask in events:
            if fd == self.PIPE[0]:
                os.read(fd, 1)
                ready.append(fd)
            else:
                ready.append(self.listeners_by_fd[fd])
        return ready

    def open_poller(self) -> "select.epoll":
        # Created in the worker, after the fork: each worker needs its own wait-queue entry.
        poller = select.epoll()
        self.listeners_by_fd = {listener.fileno(): listener for listener in self.sockets}
        for fd in self.listeners_by_fd:
            try:
                poller.register(fd, select.EPOLLIN | select.EPOLLEXCLUSIVE)
            except OSError as exc:
                if exc.errno != errno.EINVAL:  # EINVAL: a kernel without exclusive wakeups
                    raise
                poller.register(fd, select.EPOLLIN)
        poller.register(self.PIPE[0], select.EPOLLIN)
        self.poller = poller
        return poller
