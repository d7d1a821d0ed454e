"""What an idle Dask LocalCluster costs in CPU, at Dask's defaults and with the quieter
housekeeping the grading engine uses (grading.cluster.QUIET).

    python -m bench.dask_idle [--workers 2] [--seconds 20]   (from the repository)

Starts a LocalCluster (single-threaded worker processes, dashboard on) each way, lets it
settle, then counts the machine's busy CPU while it does nothing. Run it on an idle machine.
"""
import argparse
import time

import dask
from distributed import Client, LocalCluster

from bench.autograde_speed import machine_cpu
from grading.cluster import QUIET


def idle_cpu(settings, workers, seconds):
    """CPU seconds per second that an idle LocalCluster keeps busy."""
    with dask.config.set(settings), LocalCluster(n_workers=workers, threads_per_worker=1,
                                                 processes=True, dashboard_address=":0") as cluster:
        with Client(cluster) as client:
            client.wait_for_workers(workers)
            time.sleep(3)  # start-up settles
            before = machine_cpu()
            time.sleep(seconds)
            return (machine_cpu() - before) / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    options = parser.parse_args()
    for name, settings in (("Dask's defaults", {}), ("grading.cluster.QUIET", QUIET)):
        share = idle_cpu(settings, options.workers, options.seconds)
        print(f"idle LocalCluster of {options.workers} workers, {name}: "
              f"{100 * share:.1f}% of a core")


if __name__ == "__main__":
    main()
