"""A private, throw-away PostgreSQL cluster on loopback (the machine's shared one is never
touched): ``initdb`` into a temporary folder, ``pg_ctl`` start and stop on a free port.

Used by the PostgreSQL restart test (tests/ops) and the benchmark (bench/run, which starts it
with ``shared_preload_libraries=pg_stat_statements``). initdb and postgres refuse to run as
root: as root, they run as the ``postgres`` user, in a folder it owns.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

from deploy.local_stack import Postgres, free_port


def as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: as root, run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def server_bin() -> Path:
    bins = sorted(glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    return Path(bins[-1])


@dataclass
class Cluster:
    bin: Path
    data: Path
    base: Path
    port: int
    # Extra ``-c name=value`` server settings.
    settings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: dict[str, str] | None = None) -> "Cluster":
        """initdb into a new temporary folder (not started)."""
        base = Path(tempfile.mkdtemp(prefix="samverkan-pg-"))
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(base, postgres.pw_uid, postgres.pw_gid)
        found = cls(
            bin=server_bin(),
            data=base / "data",
            base=base,
            port=free_port(),
            settings=dict(settings or {}),
        )
        command = [str(found.bin / "initdb"), "-D", str(found.data), "-U", "postgres"]
        command += ["--auth=trust", "-E", "UTF8", "--no-sync"]
        try:
            subprocess.run(as_postgres(command), check=True, capture_output=True, timeout=300)  # noqa: S603
        except BaseException:
            shutil.rmtree(base, ignore_errors=True)
            raise
        return found

    @property
    def postgres(self) -> Postgres:
        return Postgres(host="127.0.0.1", port=self.port, user="postgres")

    def ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), *args]
        subprocess.run(as_postgres(command), check=True, capture_output=True, timeout=120)  # noqa: S603

    def start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        for name, value in self.settings.items():
            options += f" -c {name}={value}"
        self.ctl("-o", options, "-l", str(self.base / "server.log"), "-w", "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop at once (if running) and delete the folder."""
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)
