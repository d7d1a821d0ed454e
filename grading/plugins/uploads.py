"""One student's upload, read with limits: the notebooks in it, or why there are none.

An upload is a notebook, a gzip of one (`.ipynb.gz`), or an archive (`.zip`, `.tar`,
`.tar.gz`/`.tgz`, `.tar.bz2`, `.tar.xz`) that may hold archives in turn. Nothing is
unpacked to disk and no name inside an upload is used as a path: only the notebooks' bytes
come out, with their names inside the archive for the caller to match and to report.
Other members are skipped unread (a zip's data files cost nothing; a tar stream is read
through, and counted). Any problem raises UploadError with a reason for that student;
the caller goes on with the rest of the class.
"""
import bz2
import gzip
import io
import lzma
import posixpath
import stat
import tarfile
import zipfile
import zlib

MiB = 1024 * 1024
# A notebook with every plot and output is a few MiB; an honest archive of one is smaller.
# These bound what one upload can cost the grader (memory, CPU), whatever it claims:
MAX_UPLOAD_BYTES = 64 * MiB    # one upload as stored in the download, and everything
                               # decompressed out of it at any depth, counted together
MAX_MEMBERS = 10_000           # entries in one upload, nested ones included (a project
                               # folder with a .git is a few thousand)
MAX_DEPTH = 3                  # archives in archives: the upload, one inside, one more
MAX_RATIO = 100                # bytes decompressed per byte uploaded, once past RATIO_FLOOR:
RATIO_FLOOR = 16 * MiB         # notebooks compress 3-20x; a bomb ~1000x per level

TAR_SUFFIXES = {".tar": None, ".tar.gz": gzip.GzipFile, ".tgz": gzip.GzipFile,
                ".tar.bz2": bz2.BZ2File, ".tbz2": bz2.BZ2File,
                ".tar.xz": lzma.LZMAFile, ".txz": lzma.LZMAFile}
# Never a student's notebook: macOS resource forks and Jupyter's autosaves.
JUNK = ("__MACOSX/", ".ipynb_checkpoints/")


class UploadError(Exception):
    """The upload cannot be read, or is over a limit; the message says which."""

    def __init__(self, reason, refused=False):
        super().__init__(reason)
        self.refused = refused  # over a limit or unsafe (as opposed to unreadable)


def kind(name):
    """'notebook', 'gzip', 'zip', 'tar' or '' (not something we read), from the name."""
    lower = name.lower()
    if lower.endswith(".ipynb"):
        return "notebook"
    if lower.endswith(".zip"):
        return "zip"
    if any(lower.endswith(suffix) for suffix in TAR_SUFFIXES):
        return "tar"
    if lower.endswith(".ipynb.gz"):
        return "gzip"
    return ""


def suffix(name):
    """The suffix `kind` went by ('.tar.gz', '.ipynb'), or ''."""
    lower = name.lower()
    return next((s for s in (".ipynb.gz", *TAR_SUFFIXES, ".ipynb", ".zip") if lower.endswith(s)), "")


def shown(name, limit=200):
    """A name from inside an upload, fit for a CSV cell or a terminal: undecodable bytes
    and control characters (escape sequences) become '?'; at most `limit` characters."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(c if c.isprintable() else "?" for c in text)[:limit]


class _Budget:
    """Bytes decompressed and members seen for one upload, against the limits."""

    def __init__(self, uploaded):
        self.uploaded, self.read, self.members = max(uploaded, 1), 0, 0
        self.skipped = []  # links and unsafe names, for the report

    def add(self, count):
        self.read += count
        if self.read > MAX_UPLOAD_BYTES:
            raise UploadError(f"expands past {MAX_UPLOAD_BYTES // MiB} MiB", refused=True)
        if self.read > RATIO_FLOOR and self.read > MAX_RATIO * self.uploaded:
            raise UploadError(f"expands more than {MAX_RATIO} times its size "
                              f"({self.uploaded} bytes uploaded)", refused=True)

    def member(self):
        self.members += 1
        if self.members > MAX_MEMBERS:
            raise UploadError(f"holds more than {MAX_MEMBERS} files", refused=True)

    def read_all(self, f):
        chunks = []
        while chunk := f.read(MiB):
            self.add(len(chunk))
            chunks.append(chunk)
        return b"".join(chunks)


class _Counted(io.RawIOBase):
    """A decompressing stream whose output is charged to the budget as it is read."""

    def __init__(self, stream, budget):
        self.stream, self.budget = stream, budget

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        self.budget.add(len(data))
        buffer[:len(data)] = data
        return len(data)


def read_upload(name, data):
    """([(name inside, notebook bytes)], [members skipped as links or unsafe names]) of
    an upload (the name inside is '' for a plain notebook); raises UploadError."""
    if not data:
        raise UploadError("empty file")
    budget = _Budget(len(data))
    budget.add(len(data))
    try:
        found = _notebooks(name, data, budget, depth=0)
    except UploadError:
        raise
    except (zipfile.BadZipFile, tarfile.TarError, gzip.BadGzipFile, EOFError, OSError,
            zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError, ValueError) as error:
        raise UploadError(f"unreadable {kind(name)} ({shown(str(error))})") from error
    return found, budget.skipped


def _notebooks(name, data, budget, depth):
    what = kind(name)
    if what == "notebook":
        return [("", data)]
    if what and depth >= MAX_DEPTH:
        raise UploadError(f"archives nested more than {MAX_DEPTH} deep", refused=True)
    if what == "gzip":
        if not data.startswith(b"\x1f\x8b"):
            raise UploadError(f"{shown(posixpath.basename(name))} is not gzip-compressed")
        return [("", budget.read_all(gzip.GzipFile(fileobj=io.BytesIO(data))))]  # one notebook
    if what == "zip":
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise UploadError(f"{shown(posixpath.basename(name))} is not a zip file")
        return _zip(data, budget, depth)
    if what == "tar":
        return _tar(name, data, budget, depth)
    return []


def _inside(member, content, budget, depth):
    """The notebooks of one member of an archive (itself, or what it holds), named by
    their path inside the upload."""
    return [(f"{member}/{inner}" if inner else member, notebook)
            for inner, notebook in _notebooks(member, content, budget, depth + 1)]


def _wanted(member, budget, link=False):
    """Should this member of an archive be read? Links and unsafe names are skipped
    (nothing is written by its name, but they have no business in a submission)."""
    parts = member.split("/")
    if not kind(member) or any(j in member + "/" for j in JUNK) or parts[-1].startswith("._"):
        return False  # not a notebook nor an archive, or leftovers: not read, not reported
    if link or member.startswith("/") or ".." in parts:
        budget.skipped.append(shown(member))
        return False
    return True


def _zip(data, budget, depth):
    # zipfile parses the whole central directory at once: count its entries first
    # (each starts with this signature), so a crafted one cannot cost memory.
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:
        raise UploadError(f"holds more than {MAX_MEMBERS} files", refused=True)
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            budget.member()
            link = stat.S_ISLNK(info.external_attr >> 16)
            if info.is_dir() or not _wanted(info.filename, budget, link):
                continue
            with archive.open(info) as f:
                content = budget.read_all(f)
            found += _inside(info.filename, content, budget, depth)
    return found


def _tar(name, data, budget, depth):
    lower = name.lower()
    opener = next(o for s, o in TAR_SUFFIXES.items() if lower.endswith(s))
    stream = io.BytesIO(data) if opener is None else \
        io.BufferedReader(_Counted(opener(fileobj=io.BytesIO(data)), budget))
    found = []
    # Stream mode: members in order, never seeking back; skipped data is read through,
    # so it is counted too.
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            budget.member()
            link = member.issym() or member.islnk()
            if not (member.isfile() or link) or member.issparse():  # sparse: expands unread
                continue
            if not _wanted(member.name, budget, link):
                continue
            # Already counted: in `data` (a plain tar) or as the stream decompressed it.
            content = archive.extractfile(member).read()
            found += _inside(member.name, content, budget, depth)
    return found
