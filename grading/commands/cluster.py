"""Make the course's TLS certificates for grading on a Dask cluster only the course can use.

    grading cluster certs [--out DIR] [--days N] [--force] [--course DIR]

Writes a new certificate authority for the course and, signed by it, a certificate with its
key for the scheduler, the workers and the client (this machine): DIR/ca.pem, scheduler.pem,
worker.pem, client.pem (default DIR: the course's tls/ folder, which is never committed).
Then prints how to start `dask scheduler` and `dask worker` with them, and the
`grading autograde --scheduler tls://...` that uses them. The scheduler, every worker and
the client then authenticate one another and encrypt everything (Dask's Security, mutual
TLS): a client or worker without a certificate of this course is refused.

The CA's key is not kept: no other certificate can be signed for this set. Anyone holding
any of the .pem files with a key can join or drive the cluster: copy to each machine only
its own (README: Grading on a cluster).
"""
from pathlib import Path

from ..cluster import CA, make_certificates
from ..course import CourseError
from .autograde import TLS_FOLDER

RESUME = "The set may be incomplete: run `grading cluster certs --force` to make it again"


def add_arguments(parser):
    parser.add_argument("action", choices=["certs"], help="certs: make the course's certificates")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help=f"where to write them (default: the course's {TLS_FOLDER}/ folder)")
    parser.add_argument("--days", type=int, default=365, help="how long they are valid (default 365)")
    parser.add_argument("--force", action="store_true",
                        help="replace existing certificates (a cluster started with the old "
                             "ones must be restarted)")


def instructions(folder):
    """How to start a cluster with the certificates in `folder`, and grade on it."""
    folder = Path(folder)
    tls = f"--tls-ca-file {CA} --tls-cert"
    return "\n".join([
        f"Certificates in {folder}:",
        f"  {CA:14} the course's CA: every machine of the cluster, and this one",
        "  scheduler.pem  the scheduler's machine only (certificate and key)",
        "  worker.pem     each worker machine only (certificate and key)",
        "  client.pem     this machine only: `grading ... --scheduler` uses it",
        "Copy them over SSH (scp) to a folder only you can read, then, in that folder:",
        "  # the scheduler (its dashboard on its own machine only: ssh -L 8787:localhost:8787 to see it)",
        f"  DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION=1.0 dask scheduler {tls} scheduler.pem --port 8786 --dashboard-address 127.0.0.1:8787",
        "  # each worker machine: one single-threaded worker per core",
        f"  dask worker tls://SCHEDULER-HOST:8786 {tls} worker.pem --nworkers auto --nthreads 1 "
        "--dashboard-address 127.0.0.1:0",
        "Then, in the course folder:",
        "  grading autograde ASSIGNMENT --scheduler tls://SCHEDULER-HOST:8786"
        + ("" if folder.name == TLS_FOLDER else f" --tls {folder}"),
    ])


def run(course_dir, options):
    folder = Path(options.out) if options.out else Path(course_dir) / TLS_FOLDER
    if (folder / CA).exists() and not options.force:
        raise CourseError(f"{folder} already holds the course's certificates; --force makes new "
                          "ones (restart the cluster with them)")
    if options.days < 1:
        raise CourseError("--days must be at least 1")
    make_certificates(folder, options.days)
    print(instructions(folder.resolve()))
    return 0
