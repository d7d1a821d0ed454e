"""The grading engine: a Dask cluster. By default a LocalCluster started here (one
single-threaded worker process per core, stopped at the end); with a scheduler address,
any running Dask cluster (`dask scheduler` + `dask worker` over SSH, dask-jobqueue,
dask-kubernetes, Dask Gateway).

Before a run every worker is asked whether it can sandbox student code; a cluster with a
worker that cannot is refused, naming it. A worker that dies mid-task has its task run
again elsewhere by Dask; a task whose workers keep dying fails with KilledWorker after
the scheduler's `distributed.scheduler.allowed-failures` (here ATTEMPTS - 1) retries.

Only the course can use the cluster: a running cluster is reached over TLS with mutual
authentication (Dask's Security, with the course's certificates made by `grading cluster
certs`); a plain tcp:// address is refused unless the instructor says --insecure. The
LocalCluster listens on 127.0.0.1 only (dashboard too) and uses TLS with a key made for the
run (Security.temporary), so another user of the same machine cannot drive it either.
"""
import contextlib
import dataclasses
import datetime
import logging
import os
import tempfile
from pathlib import Path

import dask
from distributed import Client, LocalCluster, Security

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
# A worker holds only the tasks it runs (Dask's default, 1.1, gives a single-threaded
# worker a second one in reserve): a submission that kills its worker then takes no
# classmate's task down with it, which would count against that task's allowed failures.
ONE_TASK_PER_THREAD = {"distributed.scheduler.worker-saturation": 1.0}
WAIT_FOR_WORKERS = "60s"  # how long an existing cluster may take to show a worker
# The LocalCluster's dashboard: this machine only, unless Dask's own setting says otherwise
# (DASK_DISTRIBUTED__SCHEDULER__DASHBOARD__ADDRESS=0.0.0.0:8787); ":8787" is Dask's default.
LOOPBACK_DASHBOARD = "127.0.0.1:0"
DASK_DEFAULT_DASHBOARD = ":8787"

# The course's certificates (grading cluster certs): one CA, and a certificate with its key
# for each role, in one file each. Dask checks no role: any of them lets its holder join.
CA, ROLES = "ca.pem", ("scheduler", "worker", "client")


class EngineError(CourseError):
    """The cluster cannot be used: unreachable, no workers, or a worker without sandbox."""


def usable_cores():
    return len(os.sched_getaffinity(0))


@dataclasses.dataclass(frozen=True)
class Scheduler:
    """A running cluster's address and how to authenticate to it (None: plain tcp://)."""
    address: str
    security: Security = None

    def __str__(self):
        return self.address


def scheduler_at(address, tls, insecure=False):
    """The Scheduler to reach at `address`: tls:// with the course's certificates in the
    folder `tls`; a plain tcp:// address only when `insecure` (anyone who can reach such a
    scheduler can run code in this command and read the course, solutions included)."""
    if address.startswith("tls://"):
        return Scheduler(address, course_security(tls))
    if insecure:
        return Scheduler(address)
    raise EngineError(
        f"refusing the unencrypted scheduler address {address}: anyone who can reach that "
        "scheduler could change grades, run code in this command and copy the course's "
        "solutions and hidden tests. Start the cluster with the course's certificates "
        "(`grading cluster certs`, README: Grading on a cluster) and pass tls://HOST:PORT, "
        "or add --insecure for a cluster only you can reach.")


def course_security(folder):
    """The client's side of the course's certificates in `folder` (grading cluster certs)."""
    folder = Path(folder)
    missing = [name for name in (CA, "client.pem") if not (folder / name).is_file()]
    if missing:
        raise EngineError(f"no course certificates in {folder} ({', '.join(missing)} missing): "
                          "make them with `grading cluster certs`, or pass their folder with --tls")
    return Security(require_encryption=True, tls_ca_file=str(folder / CA),
                    tls_client_cert=str(folder / "client.pem"))


def make_certificates(folder, days=365):
    """A new course CA and, signed by it, a certificate with its key for each role, in
    `folder` (ca.pem, scheduler.pem, worker.pem, client.pem). The CA's own key is never
    written: nobody, the instructor included, can sign another certificate for this
    course later; making a new set (and restarting the cluster with it) replaces it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(text):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    def certificate(subject, key, ca_key, is_ca):
        usage = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                               "data_encipherment", "key_agreement", "key_cert_sign",
                               "crl_sign", "encipher_only", "decipher_only"), False)
        usage.update(key_cert_sign=is_ca, crl_sign=is_ca, digital_signature=not is_ca)
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None),
                                  critical=True)
                   .add_extension(x509.KeyUsage(**usage), critical=True))
        if not is_ca:
            builder = builder.add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name(f"grading course CA {os.urandom(6).hex()}")  # another course's CA differs
    ca_pem = certificate(ca_name, ca_key, ca_key, True).public_bytes(serialization.Encoding.PEM)
    written = {CA: ca_pem}
    for role in ROLES:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = certificate(name(f"grading {role}"), key, ca_key, False)
        written[f"{role}.pem"] = cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
    for file_name, data in written.items():
        path = folder / file_name
        path.unlink(missing_ok=True)
        # Keys readable by their owner only, from the moment they exist.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                             0o644 if file_name == CA else 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
    return [folder / file_name for file_name in written]


def local_dashboard():
    address = dask.config.get("distributed.scheduler.dashboard.address", DASK_DEFAULT_DASHBOARD)
    return LOOPBACK_DASHBOARD if address == DASK_DEFAULT_DASHBOARD else address


@contextlib.contextmanager
def dask_client(scheduler=None, workers=None):
    """A Client on the cluster `scheduler` (a Scheduler), or on a LocalCluster of `workers`
    processes (default: one per core) that lives as long as the block."""
    if scheduler:
        try:
            # Dask's connect timeout (distributed.comm.timeouts.connect, 30 s unless
            # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT says otherwise); a scheduler that
            # refuses the course's certificate fails the same way.
            client = Client(scheduler.address, security=scheduler.security)
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
    settings = {"distributed.scheduler.allowed-failures": ATTEMPTS - 1, **ONE_TASK_PER_THREAD, **QUIET}
    with tempfile.TemporaryDirectory(prefix="grading-dask-") as scratch, dask.config.set(settings):
        # Dask's scratch space is a folder of its own; each task works in a private copy of
        # the course (grading.worker), never in the course folder. Loopback only, and TLS
        # with a key made for this run: another user of this machine cannot connect
        # (about 3 ms per task, no slower start: python -m bench.dask_tls).
        security = Security.temporary()
        with LocalCluster(n_workers=workers or usable_cores(), threads_per_worker=1,
                          processes=True, host="127.0.0.1", dashboard_address=local_dashboard(),
                          local_directory=scratch, security=security,
                          silence_logs=logging.ERROR) as cluster, \
                Client(cluster, security=security) as client:
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
