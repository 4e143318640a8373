"""The attack table (issue 10): hostile submissions run through `tutor check`, each contained.

Each attack is a real file for Exercise 1.ex13. It tries its attack when imported, and returns the
right answer only if the attack FAILED (raised): so exit status 0 with every test passed proves
containment, and an attack that got through shows up as a wrong verdict. Host-side effects
(files, sockets, the progress file) are checked from here too.

Every attack acts only on paths and sockets this test made, and only from inside the grading
kernel: with the default strict isolation a kernel that lacks any layer does not start at all,
so none of this can reach processes or files outside the sandbox (CI runs as root).
The table runs as the current user, and again as `nobody` (through setpriv, when root) where this
machine lets nobody run the tutor: an ordinary user gets no cgroup here (cgroup v1 belongs to root),
so that run opts in to `kernel.isolation = "relaxed"` and asserts that the memory limit is the
only layer missing, and that the grading says so.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534
TEMPLATE = '''\
import numpy as np


def _attack():
{body}


try:
    _attack()
    ESCAPED = True
except BaseException:
    ESCAPED = False


def center_columns(X):
    """Right only when the attack failed."""
    return X if ESCAPED else X - X.mean(axis=0)
'''


def _submission(body: str) -> str:
    return TEMPLATE.format(body=textwrap.indent(textwrap.dedent(body).strip("\n"), "    "))


def _probe(python: str) -> str:
    """ "" when nobody can run the tutor and its kernel under `python`; else why not."""
    probe = subprocess.run(
        [
            str(shutil.which("setpriv")),
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            python,
            "-c",
            "import subprocess, sys, numpy, checkers.kernel\n"
            "subprocess.run([sys.executable, '-I', '-c', 'import numpy'],"
            " check=True, capture_output=True)",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    return "" if probe.returncode == 0 else probe.stderr.strip()[-120:]


@functools.cache
def _nobody_python() -> tuple[str, str]:
    """An interpreter nobody can run the tutor with, and "" ; or "" and why there is none.

    This interpreter when nobody can reach it; else (a venv whose base lives under root's 0700
    home) a throw-away venv on the system's own python of the same version that borrows this
    environment's site-packages through a .pth line."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return "", "not root (or no setpriv): cannot switch to nobody"
    if not _probe(sys.executable):
        return sys.executable, ""
    system = shutil.which(
        f"python{sys.version_info[0]}.{sys.version_info[1]}", path="/usr/bin:/usr/local/bin"
    )
    if system is None:
        return (
            "",
            f"nobody cannot run {sys.executable} and there is no system python of the same version",
        )
    folder = Path(tempfile.mkdtemp(prefix="tutor-nobody-venv-"))
    atexit.register(shutil.rmtree, folder, True)
    subprocess.run(
        [system, "-m", "venv", "--without-pip", str(folder / "venv")], check=True, timeout=120
    )
    purelib = sysconfig.get_paths()["purelib"]
    site = next((folder / "venv").glob("lib/python*/site-packages"))
    (site / "borrowed.pth").write_text(f"import site; site.addsitedir({purelib!r})\n")
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            os.chmod(path, os.lstat(path).st_mode | (0o755 if path.is_dir() else 0o644))
    python = str(folder / "venv" / "bin" / "python")
    why = _probe(python)
    return (python, "") if not why else ("", f"nobody cannot run the tutor: {why}")


USERS = ["self", "nobody"]


@pytest.fixture(params=USERS)
def runner(request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """Where and as whom `tutor check` runs: a folder of its own (for its files, its data dir
    and the files it owns that attacks go after), reachable by that user."""
    user = request.param
    python = sys.executable
    if user == "nobody":
        python, why = _nobody_python()
        if why:
            pytest.skip(why)
    base = Path(tempfile.mkdtemp(prefix="tutor-attack-"))
    try:
        if user == "nobody":
            os.chown(base, NOBODY, NOBODY)
        yield {"user": user, "base": base, "python": python}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _own(runner: dict[str, object], path: Path) -> Path:
    """Make `path` belong to the user the tutor runs as."""
    if runner["user"] == "nobody":
        os.chown(path, NOBODY, NOBODY)
    return path


def _check(
    runner: dict[str, object],
    source: str,
    *extra: str,
    env: dict[str, str] | None = None,
    name: str = "attack.py",
    python: str = "",
    cwd: Path = REPO,
) -> subprocess.CompletedProcess[str]:
    base = Path(str(runner["base"]))
    path = base / name
    path.write_text(source, encoding="utf-8")
    os.chmod(path, 0o644)
    command = [
        python or str(runner["python"]),
        "-m",
        "tutor",
        "check",
        "1.ex13",
        "--file",
        str(path),
        "--no-record",
        "--data-dir",
        str(base / "data"),
        *extra,
    ]
    if runner["user"] == "nobody":
        command = [
            str(shutil.which("setpriv")),
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            *command,
        ]
    full = {**os.environ, "TUTOR_CONFIG": str(base / "none.toml"), **(env or {})}
    if runner["user"] == "nobody":
        # An ordinary user here gets no cgroup (cgroup v1 is root's): it opts in to less, knowingly,
        # and `_assert_contained` checks that only the memory limit is missing.
        full["HOME"] = str(base)
        if "TUTOR_KERNEL_ISOLATION" not in (env or {}):
            full["TUTOR_KERNEL_ISOLATION"] = "relaxed"
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=full, timeout=240)


def _assert_contained(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    """Exit 0, every test passed (the attack raised inside), JSON out, no traceback anywhere."""
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["correct"] is True
    sandbox = report["sandbox"]
    missing = [name for name, layer in sandbox["layers"].items() if not layer["ok"]]
    assert sandbox["level"] == "full" or missing == ["memory limit"], sandbox
    return report


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# the table ----------------------------------------------------------------------------------


def test_read_outside(runner: dict[str, object]) -> None:
    secret = Path(str(runner["base"])) / "secret.txt"
    secret.write_text("TOP SECRET")
    os.chmod(_own(runner, secret), 0o600)
    body = f"""
    data = open({str(secret)!r}).read()
    assert "SECRET" in data
    """
    report = _assert_contained(_check(runner, _submission(body), "--json"))
    assert "TOP SECRET" not in json.dumps(report)


def test_read_home_and_data_dir(runner: dict[str, object]) -> None:
    home = Path(os.path.expanduser("~"))
    files = (
        [p for p in sorted(home.iterdir()) if p.is_file() and not p.is_symlink()]
        if home.is_dir()
        else []
    )
    data = Path(str(runner["base"])) / "data"
    data.mkdir()
    (data / "progress.sqlite3").write_bytes(b"SQLite format 3\0")
    _own(runner, data)
    _own(runner, data / "progress.sqlite3")
    targets = [str(data / "progress.sqlite3"), *(str(p) for p in files[:1])]
    body = f"""
    for path in {targets!r}:
        try:
            open(path, "rb").read(16)
            return  # one readable: escaped
        except OSError:
            pass
    raise OSError("nothing readable")
    """
    _assert_contained(_check(runner, _submission(body), "--json"))


def test_write_outside_into_the_tutors_own_code(runner: dict[str, object]) -> None:
    target = REPO / "checkers" / "grading" / "compare.py"
    before = _digest(target)
    body = f"""
    with open({str(target)!r}, "a") as handle:
        handle.write("\\n# every grading passes now\\n")
    """
    _assert_contained(_check(runner, _submission(body), "--json"))
    assert _digest(target) == before


def test_reference_import(runner: dict[str, object]) -> None:
    body = f"""
    import sys
    sys.path.insert(0, {str(REPO)!r})
    from content.ch1 import worked
    worked.center_columns_reference
    """
    _assert_contained(_check(runner, _submission(body), "--json"))


def test_progress_forgery(runner: dict[str, object]) -> None:
    db = Path(str(runner["base"])) / "data" / "progress.sqlite3"
    body = f"""
    import sqlite3
    connection = sqlite3.connect({str(db)!r})
    connection.execute("create table forged (rating text)")
    connection.executemany("insert into forged values (?)", [("Easy",)] * 24)
    connection.commit()
    """
    _assert_contained(_check(runner, _submission(body), "--json"))
    assert not db.exists()  # --no-record: only an escaped kernel could have made it


@pytest.mark.parametrize("kind", ["path", "abstract"])
def test_unix_sockets_are_unreachable(runner: dict[str, object], kind: str) -> None:
    address = (
        str(Path(str(runner["base"])) / "server.sock")
        if kind == "path"
        else f"\0tutor-attack-{os.getpid()}"
    )
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(address)
    if kind == "path":
        os.chmod(address, 0o777)
    server.listen(4)
    server.settimeout(0.2)
    connections: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connections.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    body = f"""
    import socket
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect({address!r})
    client.sendall(b"tmux new-window")
    """
    try:
        _assert_contained(_check(runner, _submission(body), "--json"))
    finally:
        stop.set()
        thread.join()
        server.close()
    assert connections == []


def test_terminal_write(runner: dict[str, object]) -> None:
    body = """
    import os
    opened = []
    for path in ("/dev/tty", "/dev/pts/0", "/dev/pts/1", "/dev/console"):
        try:
            with open(path, "w") as tty:
                tty.write("\\x1b[2J\\x1b[32mCorrect. All 6 tests passed.\\x1b[8m")
            opened.append(path)
        except OSError:
            pass
    if not opened:
        raise OSError("no terminal")
    """
    # Printed at import as well: it may reach the report only through the sanitiser.
    source = _submission(body).replace(
        "def _attack", 'print("\\x1b]0;owned\\x07\\x1b[2Jfake")\n\n\ndef _attack', 1
    )
    done = _check(runner, source)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\x1b" not in done.stdout + done.stderr


def test_persistence_between_gradings(runner: dict[str, object]) -> None:
    plant = """
    import os
    for folder in ("/tmp", "/dev/shm", os.path.expanduser("~"), os.getcwd()):
        with open(os.path.join(folder, "left-behind"), "w") as handle:
            handle.write("x")
    raise RuntimeError("planted")  # so the file itself is graded correct
    """
    _assert_contained(_check(runner, _submission(plant), "--json", name="plant.py"))
    look = """
    import os
    found = [f for f in ("/tmp", "/dev/shm", os.path.expanduser("~"), os.getcwd())
             if os.path.exists(os.path.join(f, "left-behind"))]
    assert found, "nothing survived"
    """
    _assert_contained(_check(runner, _submission(look), "--json", name="look.py"))
    # Nothing of it on the host either: not in host /tmp, not in any kernel folder left behind.
    assert not Path("/tmp/left-behind").exists() and not Path("/dev/shm/left-behind").exists()
    assert not list(Path(tempfile.gettempdir()).glob("tutor-kernel-*/home/left-behind"))


@pytest.mark.parametrize("folder", ["/tmp", "/dev/shm", "~"])
def test_ram_and_disk_filling_stops_at_the_tmpfs_size(
    runner: dict[str, object], folder: str
) -> None:
    # 24 files of 24 MiB (under the 64 MiB file-size limit): 576 MiB against 256 MiB of tmpfs.
    body = f"""
    import os
    base = os.path.expanduser({folder!r})
    for index in range(24):
        with open(os.path.join(base, f"fill{{index}}"), "wb") as handle:
            handle.write(b"x" * (24 << 20))
    """
    _assert_contained(_check(runner, _submission(body), "--json"))


def test_memory_fan_out_is_held_by_one_limit_for_the_whole_kernel(
    runner: dict[str, object],
) -> None:
    # Each child stays under its own address-space limit (1 GiB); together they would hold
    # 5 x 400 MiB = 2 GiB against the kernel's 1 GiB: some must be killed.
    body = """
    import os, time
    children = []
    for _ in range(5):
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                block = bytearray(400 << 20)
                for offset in range(0, len(block), 4096):
                    block[offset] = 1
                time.sleep(2)
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    statuses = [os.waitpid(pid, 0)[1] for pid in children]
    assert all(status == 0 for status in statuses), "some child was stopped"
    """
    done = _check(runner, _submission(body), "--json", env={"TUTOR_KERNEL_MEMORY_MB": "1024"})
    assert "Traceback" not in done.stdout + done.stderr
    report = json.loads(done.stdout)
    if not report["sandbox"]["layers"]["memory limit"]["ok"]:
        # Relaxed, no memory cgroup: the grading says so, and no whole-kernel limit is claimed.
        assert "memory limit" in " ".join(report["sandbox"]["missing"])
        return
    if done.returncode == 1:
        # The memory cgroup may pick the worker itself: a clean "killed" verdict, not a pass.
        assert report["correct"] is False and "killed" in json.dumps(report), report
        return
    _assert_contained(done)


FORGERIES = {
    "deep JSON": """
    import gc, os
    worker = next(o for o in gc.get_objects() if isinstance(o, type) and o.__name__ == "_Worker")
    frame = b"[" * 100000 + b"]" * 100000
    header = len(frame).to_bytes(4, "big")
    worker.serve.__globals__["_send"] = lambda fd, message: os.write(fd, header + frame)
    """,
    "one file named many times": """
    import gc
    worker = next(o for o in gc.get_objects() if isinstance(o, type) and o.__name__ == "_Worker")
    original = worker._encode_all
    def forged(self, value, out_dir, call_id):
        spec = original(self, value, out_dir, call_id)
        return {"kind": "tuple", "items": [spec] * 60}
    worker._encode_all = forged
    """,
    "absurd shape": """
    import gc
    worker = next(o for o in gc.get_objects() if isinstance(o, type) and o.__name__ == "_Worker")
    original = worker._encode_all
    def forged(self, value, out_dir, call_id):
        spec = original(self, value, out_dir, call_id)
        spec["shape"] = [0, 10 ** 23]
        return spec
    worker._encode_all = forged
    """,
}


@pytest.mark.parametrize("label", list(FORGERIES))
def test_forged_replies_are_a_clean_verdict(runner: dict[str, object], label: str) -> None:
    source = (
        textwrap.dedent(FORGERIES[label])
        + "\n\ndef center_columns(X):\n    return X - X.mean(axis=0)\n"
    )
    done = _check(runner, source, "--json")
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 1, done.stdout + done.stderr  # graded, and not correct
    report = json.loads(done.stdout)
    assert report["correct"] is False


HOSTILE_SOURCES = {
    "deep brackets": "x = " + "[" * 50000 + "]" * 50000 + "\n",
    "deep unary": "x = " + "-" * 200000 + "1\n",
    "too large": "# " + "x" * (600 * 1024) + "\n",
}


@pytest.mark.parametrize("label", list(HOSTILE_SOURCES))
def test_hostile_source_cannot_be_graded(runner: dict[str, object], label: str) -> None:
    text = HOSTILE_SOURCES[label]
    done = _check(runner, text + "\ndef center_columns(X):\n    return X - X.mean(axis=0)\n")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "cannot grade" in done.stderr and "Traceback" not in done.stderr
    assert any(word in done.stderr for word in ("deep", "large", "long", "KiB"))


def test_symlink_planted_where_results_go(runner: dict[str, object]) -> None:
    victim = Path(str(runner["base"])) / "victim.txt"
    victim.write_text("keep me")
    _own(runner, victim)
    body = f"""
    import gc, os
    worker = next(o for o in gc.get_objects() if isinstance(o, type) and o.__name__ == "_Worker")
    original = worker._encode_all
    def planted(self, value, out_dir, call_id):
        spec = original(self, value, out_dir, call_id)
        os.unlink(spec["path"])
        os.symlink({str(victim)!r}, spec["path"])
        return spec
    worker._encode_all = planted
    """
    source = textwrap.dedent(body) + "\n\ndef center_columns(X):\n    return X - X.mean(axis=0)\n"
    done = _check(runner, source, "--json")
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 1 and json.loads(done.stdout)["correct"] is False
    assert victim.read_text() == "keep me"
    assert "keep me" not in done.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TUTOR_KERNEL_TIMEOUT", "nan"),
        ("TUTOR_KERNEL_TIMEOUT", "-1"),
        ("TUTOR_KERNEL_MEMORY_MB", "1"),
        ("TUTOR_KERNEL_ISOLATION", "off"),
    ],
)
def test_config_bounds(runner: dict[str, object], variable: str, value: str) -> None:
    done = _check(
        runner, "def center_columns(X):\n    return X - X.mean(axis=0)\n", env={variable: value}
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and done.stderr.strip()


# kernel surfaces behind the namespaces (found by the red team; the syscall filter holds them) -----

SYSCALL_PRELUDE = """
import ctypes, os, platform
NUMBERS = {
    "x86_64": {"add_key": 248, "keyctl": 250, "unshare": 272, "io_uring_setup": 425},
    "aarch64": {"add_key": 217, "keyctl": 219, "unshare": 97, "io_uring_setup": 425},
}[platform.machine()]
libc = ctypes.CDLL(None, use_errno=True)
def call(name, *args):
    done = libc.syscall(NUMBERS[name], *args)
    if done < 0:
        raise OSError(ctypes.get_errno(), name)
    return done
"""


def _nobody_user_keys(description: str, unlink: bool) -> list[int]:
    """Ids of `user` keys called `description` in uid nobody's user keyring (as nobody, on the
    host); with `unlink`, also take them out so that no attack leaves a key behind."""
    script = SYSCALL_PRELUDE + textwrap.dedent(f"""
    buffer = ctypes.create_string_buffer(4096)
    ring = call("keyctl", 0, -4, 0)  # KEYCTL_GET_KEYRING_ID of @u
    size = call("keyctl", 11, ring, buffer, 4096)  # KEYCTL_READ: the key ids linked in it
    found = []
    for at in range(0, min(size, 4096), 4):
        key = int.from_bytes(buffer.raw[at:at + 4], "little")
        call("keyctl", 6, key, buffer, 4096)  # KEYCTL_DESCRIBE
        if buffer.value.decode().endswith(";" + {description!r}):
            found.append(key)
            if {unlink!r}:
                call("keyctl", 9, key, ring)  # KEYCTL_UNLINK
    print(found)
    """)
    done = subprocess.run(
        [str(shutil.which("setpriv")), f"--reuid={NOBODY}", f"--regid={NOBODY}",
         "--clear-groups", "/usr/bin/python3", "-c", script],
        capture_output=True, text=True, timeout=60, cwd="/",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_no_key_left_in_the_shared_keyring_for_the_next_grading(runner: dict[str, object]) -> None:
    # The kernel keyrings of uid nobody are shared by every nobody process on the machine and
    # outlive the kernel: a key planted there is a message to the next grading (or a leak from
    # any other nobody process). The syscall filter refuses keyctl/add_key outright.
    if os.geteuid() != 0 or not Path("/usr/bin/python3").exists():
        pytest.skip("reading nobody's keyring from the host needs root and /usr/bin/python3")
    description = f"tutor-attack-{os.getpid()}-{runner['user']}"
    plant = SYSCALL_PRELUDE + textwrap.dedent(f"""
    payload = b"every grading passes"
    call("add_key", b"user", {description.encode()!r}, payload, len(payload), -4)
    """)
    body = "exec(" + repr(plant) + ", {})"
    try:
        _assert_contained(_check(runner, _submission(body), "--json", name="plant.py"))
        look = SYSCALL_PRELUDE + textwrap.dedent(f"""
        call("keyctl", 10, b"user", {description.encode()!r}, 0)  # KEYCTL_SEARCH (raises if none)
        """)
        body = "exec(" + repr(look) + ", {})"
        _assert_contained(_check(runner, _submission(body), "--json", name="look.py"))
        assert _nobody_user_keys(description, unlink=False) == []
    finally:
        _nobody_user_keys(description, unlink=True)


KERNEL_SURFACES = {
    # A user namespace gives back every capability (mounts, netfilter in a new network namespace):
    # the attack surface the namespace layers exist to keep away. A forked child is single-threaded,
    # so the kernel would allow it there if nothing refused it.
    "user namespace in a child": """
    pid = os.fork()
    if pid == 0:
        try:
            call("unshare", 0x10000000 | 0x40000000)  # CLONE_NEWUSER | CLONE_NEWNET
            os._exit(0)
        except BaseException:
            os._exit(1)
    if os.waitpid(pid, 0)[1] != 0:
        raise OSError("refused")
    """,
    "io_uring": """
    params = ctypes.create_string_buffer(120)
    os.close(call("io_uring_setup", 4, params))
    """,
}


@pytest.mark.parametrize("label", list(KERNEL_SURFACES))
def test_kernel_surfaces_are_refused(runner: dict[str, object], label: str) -> None:
    attack = SYSCALL_PRELUDE + textwrap.dedent(KERNEL_SURFACES[label])
    body = "exec(" + repr(attack) + ", {})"
    report = _assert_contained(_check(runner, _submission(body), "--json"))
    layers = report["sandbox"]["layers"]  # type: ignore[index]
    assert layers["syscall filter"]["ok"], layers


def test_hugging_face_token_is_not_in_the_view(runner: dict[str, object]) -> None:
    # Labs may read local weights from the Hugging Face cache, so the view shows it; but HF_HOME
    # also holds the user's access token (`token`, `stored_tokens`, written 0644 by the hub's
    # login), which learner code must never read. Only the model cache (`hub/`) is shown.
    home = Path(str(runner["base"])) / "hf"
    (home / "hub" / "models--gpt2").mkdir(parents=True)
    (home / "token").write_text("hf_SECRETTOKEN")
    (home / "stored_tokens").write_text("[default]\nhf_token = hf_SECRETTOKEN\n")
    for path in [home, *home.rglob("*")]:
        os.chmod(_own(runner, path), 0o755 if path.is_dir() else 0o644)
    body = """
    import os
    home = os.environ["HF_HOME"]
    assert os.path.isdir(os.path.join(home, "hub", "models--gpt2")), "the cache must stay visible"
    try:
        found = [open(os.path.join(home, name)).read() for name in ("token", "stored_tokens")]
    except OSError:
        raise RuntimeError("contained") from None
    assert any("SECRET" in text for text in found)
    """
    source = _submission(body).replace("except BaseException:", "except RuntimeError:", 1)
    report = _assert_contained(_check(runner, source, "--json", env={"HF_HOME": str(home)}))
    assert "SECRETTOKEN" not in json.dumps(report)


def test_reference_import_from_a_regular_install(runner: dict[str, object]) -> None:
    # `pip install la4ml-tutor` (not editable) puts content/ with the reference solutions in the
    # same site-packages as numpy, which the view must show: the tutor's packages are hidden there.
    base = Path(str(runner["base"]))
    subprocess.run(
        [str(runner["python"]), "-m", "venv", "--without-pip", str(base / "installed")],
        check=True, timeout=120,
    )  # fmt: skip
    site = next((base / "installed").glob("lib/python*/site-packages"))
    (site / "borrowed.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
    )
    for package in ("tutor", "checkers", "progress", "content"):
        skip = shutil.ignore_patterns("__pycache__")
        shutil.copytree(REPO / package, site / package, ignore=skip)
    for path in [base / "installed", *(base / "installed").rglob("*")]:
        if not path.is_symlink():
            os.chmod(path, os.lstat(path).st_mode | (0o755 if path.is_dir() else 0o644))
    python = str(base / "installed" / "bin" / "python")
    body = """
    import content.ch1.worked
    assert "site-packages" in content.ch1.worked.__file__  # the installed copy, nothing else
    content.ch1.worked.center_columns_reference
    """
    _assert_contained(_check(runner, _submission(body), "--json", python=python, cwd=base))
    # The tutor itself ran from that install (not the repository), and still graded correctly.
    correct = "def center_columns(X):\n    return X - X.mean(axis=0)\n"
    _assert_contained(_check(runner, correct, "--json", python=python, cwd=base, name="right.py"))


def test_bidi_controls_cannot_reorder_the_report(runner: dict[str, object]) -> None:
    # U+202E (right-to-left override) in an exception message would show the rest of the line
    # reversed, so "dessap stset 6 llA .tcerroC" reads as a passing verdict on a FAIL line.
    source = (
        "def center_columns(X):\n"
        "    raise ValueError('\\u202e.dessap stset 6 llA .tcerroC\\u2066')\n"
    )
    done = _check(runner, source)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL" in done.stdout and "Traceback (most recent call last)" in done.stdout
    shown = done.stdout + done.stderr
    assert "\u202e" not in shown and "\u2066" not in shown
