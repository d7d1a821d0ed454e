"""The grading engine: a Dask cluster. By default a LocalCluster started here (one
single-threaded worker process per core, stopped at the end); with a scheduler address,
any running Dask cluster (`dask scheduler` + `dask worker` over SSH, dask-jobqueue,
dask-kubernetes, Dask Gateway).

Before a run every worker is asked whether it can sandbox student code; a cluster with a
worker that cannot is refused, naming it. A worker that dies mid-task has its task run
again elsewhere by Dask; a task whose workers keep dying fails with KilledWorker after
the scheduler's `distributed.scheduler.allowed-failures` (here ATTEMPTS - 1) retries.
"""
import contextlib
import logging
import os
import tempfile

import dask
from distributed import Client, LocalCluster

from .course import CourseError
from .worker import readiness

ATTEMPTS = 3  # tries of one submission on the LocalCluster before it is recorded as failed
# Dask's housekeeping, slowed down for a LocalCluster that shares its cores with the
# grading: at Dask's defaults an idle scheduler, two workers and their nannies take 9% of
# a core (0.9 s of CPU per 10 s: a profiler sampling every worker's stack every 10 ms,
# event-loop ticks every 20 ms, system and memory monitors); with all four turned down,
# 1-2% (bench/dask_idle.py). A grading task runs for seconds, and the dashboard still shows
# tasks, workers and memory.
QUIET = {
    "distributed.worker.profile.enabled": False,    # the dashboard's Profile tab stays empty
    "distributed.admin.tick.interval": "1s",         # default 20ms
    "distributed.admin.system-monitor.interval": "2s",  # default 500ms
    "distributed.worker.memory.monitor-interval": "1s",  # default 100ms
}
WAIT_FOR_WORKERS = "60s"  # how long an existing cluster may take to show a worker


class EngineError(CourseError):
    """The cluster cannot be used: unreachable, no workers, or a worker without sandbox."""


def usable_cores():
    return len(os.sched_getaffinity(0))


@contextlib.contextmanager
def dask_client(scheduler=None, workers=None):
    """A Client on the cluster at `scheduler`, or on a LocalCluster of `workers` processes
    (default: one per core) that lives as long as the block."""
    if scheduler:
        try:
            # Dask's connect timeout (distributed.comm.timeouts.connect, 30 s unless
            # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT says otherwise)
            client = Client(scheduler)
        except OSError as error:
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
            except TimeoutError:
                raise EngineError(f"no worker joined the Dask scheduler at {scheduler} within "
                                  f"{WAIT_FOR_WORKERS}: start some (README: Grading on a cluster)") from None
            yield client
        return
    settings = {"distributed.scheduler.allowed-failures": ATTEMPTS - 1, **QUIET}
    with tempfile.TemporaryDirectory(prefix="grading-dask-") as scratch, dask.config.set(settings):
        # Dask's scratch space is a folder of its own; each task works in a private copy of
        # the course (grading.worker), never in the course folder.
        with LocalCluster(n_workers=workers or usable_cores(), threads_per_worker=1,
                          processes=True, dashboard_address=":0", local_directory=scratch,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client


def dashboard(client):
    """The Dask dashboard's address, or None when the scheduler serves none."""
    if "dashboard" not in client.scheduler_info().get("services", {}):
        return None
    return client.dashboard_link


def check_workers(client, isolation):
    """Refuses a cluster with a worker that cannot sandbox student code."""
    refusals = {address: reason for address, reason in client.run(readiness, isolation).items()
                if reason}
    if refusals:
        raise EngineError("these Dask workers cannot sandbox student code, so nothing was graded:\n"
                          + "\n".join(f"  {address}: {reason}" for address, reason in sorted(refusals.items()))
                          + "\nInstall bubblewrap there (scripts/setup.sh does) or stop those workers.")


def threads(client):
    return sum(client.nthreads().values())
