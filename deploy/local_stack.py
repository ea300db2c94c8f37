"""Start Samverkan's production stack on this machine, without a container engine.

The same steps as a real installation (docs/operations.md), with throw-away names:

1. a fresh PostgreSQL database with an *owner* role and an *app* role (random names, so
   parallel runs do not collide), ``migrate`` as the owner, then ``grant_app_role``;
2. ``collectstatic`` (WhiteNoise's compressed, hashed files) and ``check --deploy``;
3. two gunicorn processes on ONE address (both bind it with SO_REUSEPORT; the kernel spreads
   the connections), two ``task_worker`` processes, an SMTP sink for the e-mails;
4. each periodic command once (``deploy/schedule.py``).

Everything runs with ``config.settings_production`` as the app role; only ``migrate`` and
``grant_app_role`` run as the owner. The client is expected to send
``X-Forwarded-Proto: https``, as the TLS proxy in front of a real installation does: the
settings stay exactly as in production (SECURE_SSL_REDIRECT too, so ``check --deploy`` is
clean), and a request without the header is redirected to https as it would be there.

    deploy/local-stack up --state-dir /tmp/stack     # start; prints the address
    deploy/local-stack down --state-dir /tmp/stack   # stop everything, drop database and roles
    deploy/local-stack ci                            # up, deploy/smoke.py, down (always)

Tests (tests/ops/) use :class:`Stack` directly.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from deploy.schedule import JOBS  # noqa: E402  (the repository is on the path only now)

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
STATE_FILE = "stack.json"
# Removed from the environment the stack's processes inherit: they get their own.
_INHERITED_SETTINGS = (
    "DATABASE_URL",
    "DATABASE_URL_FILE",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "DEMO_MODE",
    "REDIS_URL",
    "SECRET_KEY",
    "CHILD_REF_KEY",
    # The browser tests' switch (Playwright's event loop): production refuses it (async.E001).
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Postgres:
    """Where the stack's database lives, and a superuser to create it with."""

    host: str = os.environ.get("PGHOST", "127.0.0.1")
    port: int = int(os.environ.get("PGPORT", "5432"))
    user: str = os.environ.get("PGUSER", "postgres")

    def connect(self, dbname: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=dbname, autocommit=True
        )

    def url(self, role: str, password: str, database: str) -> str:
        return f"postgres://{role}:{password}@{self.host}:{self.port}/{database}"


@dataclass
class StackState:
    """What ``down`` needs to undo ``up``; saved as ``stack.json`` in the state directory."""

    directory: str
    port: int
    smtp_port: int
    database: str
    owner: str
    app: str
    owner_password: str
    app_password: str
    secret_key: str
    child_ref_key: str
    redis_url: str
    postgres: dict[str, Any]
    metrics_token: str = ""
    # A static folder collected once and shared by several stacks (the tests); else our own.
    static_root: str = ""
    web_workers: int = 2
    # How many gunicorn processes share the address, and how many task workers run; the
    # benchmark (bench/run) runs one process with its workers and no task worker.
    web_processes: int = 2
    task_workers: int = 2
    # Added to every process's environment (the benchmark: BENCH_REFERENCES=1 and the like).
    extra_env: dict[str, str] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)


class Stack:
    """The production stack: ``up()`` starts it, ``down()`` removes every trace of it."""

    def __init__(
        self,
        *,
        directory: Path | None = None,
        postgres: Postgres | None = None,
        redis_url: str = "redis://127.0.0.1:6379/9",
        web_workers: int = 2,
        static_root: Path | None = None,
        web_processes: int = 2,
        task_workers: int = 2,
        extra_env: dict[str, str] | None = None,
        state: StackState | None = None,
    ) -> None:
        if state is not None:
            self.state = state
            return
        directory = directory or Path(tempfile.mkdtemp(prefix="samverkan-stack-"))
        directory.mkdir(parents=True, exist_ok=True)
        suffix = secrets.token_hex(4)
        postgres = postgres or Postgres()
        self.state = StackState(
            directory=str(directory),
            port=free_port(),
            smtp_port=free_port(),
            database=f"samverkan_stack_{suffix}",
            owner=f"samverkan_owner_{suffix}",
            app=f"samverkan_app_{suffix}",
            owner_password=secrets.token_urlsafe(24),
            app_password=secrets.token_urlsafe(24),
            secret_key=secrets.token_urlsafe(64),
            child_ref_key=secrets.token_urlsafe(64),
            redis_url=redis_url,
            postgres=asdict(postgres),
            metrics_token=secrets.token_urlsafe(32),
            static_root=str(static_root or directory / "static"),
            web_workers=web_workers,
            web_processes=web_processes,
            task_workers=task_workers,
            extra_env=dict(extra_env or {}),
        )

    # --- where things are -------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        return Path(self.state.directory)

    @property
    def postgres(self) -> Postgres:
        return Postgres(**self.state.postgres)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.state.port}"

    @property
    def mail_directory(self) -> Path:
        return self.directory / "mail"

    def request(self, path: str) -> urllib.request.Request:
        """A plain request to the stack, as the TLS proxy would pass it on."""
        headers = {"X-Forwarded-Proto": "https"}
        return urllib.request.Request(self.url + path, headers=headers)  # noqa: S310

    def log(self, name: str) -> Path:
        return self.directory / "logs" / f"{name}.log"

    def save(self) -> None:
        (self.directory / STATE_FILE).write_text(json.dumps(asdict(self.state), indent=2))

    @classmethod
    def load(cls, directory: Path) -> "Stack":
        data = json.loads((directory / STATE_FILE).read_text())
        return cls(state=StackState(**data))

    def env(self, *, owner: bool = False) -> dict[str, str]:
        """The production settings' environment, as the app role (or the owner)."""
        state = self.state
        role, password = (
            (state.owner, state.owner_password) if owner else (state.app, state.app_password)
        )
        env = {k: v for k, v in os.environ.items() if k not in _INHERITED_SETTINGS}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings_production",
                "DATABASE_URL": self.postgres.url(role, password, state.database),
                "SECRET_KEY": state.secret_key,
                "CHILD_REF_KEY": state.child_ref_key,
                "REDIS_URL": state.redis_url,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": f"https://127.0.0.1:{state.port}",
                # A browser remembers HSTS for the loopback address: keep it short here.
                "SECURE_HSTS_SECONDS": "60",
                "STATIC_ROOT": self.state.static_root,
                "MEDIA_ROOT": str(self.directory / "media"),
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(state.smtp_port),
                "EMAIL_USE_TLS": "0",
                "GUNICORN_BIND": f"127.0.0.1:{state.port}",
                "GUNICORN_WORKERS": str(state.web_workers),
                "PYTHONUNBUFFERED": "1",
                "METRICS_TOKEN": state.metrics_token,
                # The web processes' metrics, summed over all of them at a scrape.
                "PROMETHEUS_MULTIPROC_DIR": str(self.directory / "prometheus"),
            }
        )
        env.update(state.extra_env)
        return env

    # --- the steps --------------------------------------------------------------------------

    def manage(
        self, *args: str, owner: bool = False, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """``manage.py`` with the production settings; output captured (and shown on failure)."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(owner=owner),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def create_database(self) -> None:
        state = self.state
        with self.postgres.connect() as admin:
            # Not superusers, cannot create roles or databases (docs/operations-security.md).
            for role, password in (
                (state.owner, state.owner_password),
                (state.app, state.app_password),
            ):
                admin.execute(
                    f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                    f"PASSWORD '{password}'"
                )
            admin.execute(f'CREATE DATABASE "{state.database}" OWNER "{state.owner}"')
        with self.postgres.connect(state.database) as database:
            database.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")

    def migrate(self) -> None:
        self.manage("migrate", "--no-input", "--verbosity", "0", owner=True)
        self.manage("grant_app_role", "--role", self.state.app, owner=True)
        self.manage("grant_app_role", "--role", self.state.app, "--check", owner=True)

    def collectstatic(self) -> None:
        if (Path(self.state.static_root) / "staticfiles.json").exists():
            return  # collected for another stack of this test run
        self.manage("collectstatic", "--no-input", "--verbosity", "0")

    def check_deploy(self) -> str:
        done = self.manage("check", "--deploy", "--fail-level", "WARNING")
        return done.stdout + done.stderr

    def _spawn(self, name: str, command: list[str]) -> int:
        self.log(name).parent.mkdir(parents=True, exist_ok=True)
        with self.log(name).open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own process group: gunicorn's master and its workers go together.
                start_new_session=True,
            )
        self.state.pids[name] = process.pid
        self.save()
        return process.pid

    def start_smtp_sink(self) -> None:
        self._spawn(
            "smtp",
            [
                PYTHON,
                str(ROOT / "deploy" / "smtp_sink.py"),
                "--port",
                str(self.state.smtp_port),
                "--directory",
                str(self.mail_directory),
            ],
        )

    def start_web(self, name: str) -> None:
        self._spawn(name, [GUNICORN, "-c", str(ROOT / "deploy" / "gunicorn.conf.py")])

    def start_worker(self, name: str) -> None:
        self._spawn(
            name,
            [
                PYTHON,
                "manage.py",
                "task_worker",
                "--no-reload",
                "--interval",
                "0.2",
                "--worker-id",
                f"{name}-{self.state.port}",
            ],
        )

    def run_timers(self) -> dict[str, str]:
        """Each periodic command once, as its timer would; their output by command."""
        return {job.command: self.manage(job.command).stdout for job in JOBS}

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.request("/healthz"), timeout=2) as response,  # noqa: S310
            ):
                if response.status == 200:
                    return
            self._raise_if_web_died()
            time.sleep(0.2)
        raise RuntimeError(f"{self.url}/healthz did not answer in {timeout} s")

    def _raise_if_web_died(self) -> None:
        for name, pid in self.state.pids.items():
            if name.startswith("web") and not pid_alive(pid):
                raise RuntimeError(f"{name} exited:\n{self.log(name).read_text()[-3000:]}")

    @property
    def web_names(self) -> list[str]:
        return [f"web{number}" for number in range(1, self.state.web_processes + 1)]

    def up(
        self, *, timers: bool = True, prepare: Callable[["Stack"], None] | None = None
    ) -> "Stack":
        """Start everything; ``prepare`` runs after the migrations, before any process starts
        (the benchmark fills the database there)."""
        (self.directory / "prometheus").mkdir(parents=True, exist_ok=True)
        self.save()
        self.create_database()
        self.migrate()
        if prepare is not None:
            prepare(self)
        self.collectstatic()
        self.check_deploy()
        self.start_smtp_sink()
        for name in self.web_names:
            self.start_web(name)
        for number in range(1, self.state.task_workers + 1):
            self.start_worker(f"worker{number}")
        self.wait_healthy()
        if timers:
            self.run_timers()
        return self

    # --- stopping ---------------------------------------------------------------------------

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        """Stop one process (its whole group) and reap it."""
        pid = self.state.pids.pop(name, None)
        if pid is None:
            return
        stop_group(pid, sig, timeout)
        self.save()

    def down(self) -> None:
        for name in list(self.state.pids):
            self.stop(name)
        self.drop_database()
        shutil.rmtree(self.directory, ignore_errors=True)

    def drop_database(self) -> None:
        state = self.state
        with contextlib.suppress(Exception), self.postgres.connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{state.database}" WITH (FORCE)')
            for role in (state.app, state.owner):
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def pid_alive(pid: int) -> bool:
    try:
        finished, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        # Not our child (``down`` from another process): ask the kernel.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return finished == 0


def stop_group(pid: int, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Signal a process group, wait for its leader to end, SIGKILL it after ``timeout``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        while pid_alive(pid):
            time.sleep(0.05)
    # A gunicorn worker left behind by its killed master.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@contextlib.contextmanager
def running_stack(**options: Any) -> Iterator[Stack]:
    stack = Stack(**options)
    try:
        yield stack.up()
    finally:
        stack.down()


# --- the command line ---------------------------------------------------------------------------


def _up(arguments: argparse.Namespace) -> int:
    stack = Stack(directory=arguments.state_dir, web_workers=arguments.web_workers)
    try:
        stack.up()
    except BaseException:
        stack.down()
        raise
    print(f"Samverkan runs at {stack.url} (send X-Forwarded-Proto: https).")
    print(f"State, logs and e-mails: {stack.directory}")
    print(f"Stop it with: deploy/local-stack down --state-dir {stack.directory}")
    return 0


def _down(arguments: argparse.Namespace) -> int:
    if not (arguments.state_dir / STATE_FILE).exists():
        print(f"No stack in {arguments.state_dir}.")
        return 0
    Stack.load(arguments.state_dir).down()
    print("Stopped; database and roles dropped.")
    return 0


def _ci(arguments: argparse.Namespace) -> int:
    directory = arguments.state_dir or Path(tempfile.mkdtemp(prefix="samverkan-stack-"))
    stack = Stack(directory=directory, web_workers=arguments.web_workers)
    try:
        stack.up()
        print(f"Stack up at {stack.url}; smoke test:")
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [PYTHON, str(ROOT / "deploy" / "smoke.py"), "--state-dir", str(directory)],
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            for name in stack.state.pids:
                print(f"--- {name}.log (end) ---")
                print(stack.log(name).read_text(errors="replace")[-4000:])
        return done.returncode
    finally:
        stack.down()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Samverkan's production stack on this machine.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the stack")
    up.add_argument("--state-dir", type=Path, default=None)
    up.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per process")
    up.set_defaults(run=_up)
    down = commands.add_parser("down", help="stop the stack, drop its database and roles")
    down.add_argument("--state-dir", type=Path, required=True)
    down.set_defaults(run=_down)
    ci = commands.add_parser("ci", help="up, smoke test, down")
    ci.add_argument("--state-dir", type=Path, default=None)
    ci.add_argument("--web-workers", type=int, default=2)
    ci.set_defaults(run=_ci)
    arguments = parser.parse_args(argv)
    return int(arguments.run(arguments))


if __name__ == "__main__":
    sys.exit(main())
