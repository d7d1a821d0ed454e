"""What TLS costs the LocalCluster: plain TCP against TLS with a key made for the run
(Security.temporary, as grading.cluster uses), on tasks shaped like grading tasks.

    python -m bench.dask_tls [--workers 2] [--tasks 100] [--rounds 2]   (from the repository)

Each task takes 1 MB in (about what a task carries: the course and one submission) and
sends 200 KB back (a graded notebook and its feedback page) and does nothing else, so the
difference is Dask's transfer and TLS, never grading. Run it on an idle machine.
"""
import argparse
import logging
import os
import time

from distributed import Client, LocalCluster, Security


def task(payload):
    return os.urandom(200_000)


def run(secure, workers, tasks):
    """(start-up seconds, seconds for the tasks) on a fresh LocalCluster."""
    started = time.perf_counter()
    security = Security.temporary() if secure else None
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", security=security,
                      silence_logs=logging.ERROR) as cluster, \
            Client(cluster, security=security) as client:
        up = time.perf_counter()
        client.gather([client.submit(task, os.urandom(1_000_000), pure=False) for _ in range(tasks)])
        return up - started, time.perf_counter() - up


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    for _ in range(options.rounds):
        (tcp_up, tcp), (tls_up, tls) = (run(secure, options.workers, options.tasks)
                                        for secure in (False, True))
        print(f"{options.tasks} tasks (1 MB in, 200 KB out) on {options.workers} workers: "
              f"TCP start {tcp_up:.2f} s, tasks {tcp:.2f} s; TLS start {tls_up:.2f} s, tasks "
              f"{tls:.2f} s: {1000 * (tls - tcp) / options.tasks:+.1f} ms per task")


if __name__ == "__main__":
    main()
