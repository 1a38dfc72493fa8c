"""The local Neo4j that idgraph manages itself: install, start, stop, status, logs.

No Docker and no tarball: the Community server, the Graph Data Science plugin and
Neo4j Browser are assembled from Maven Central by Maven (``neo4j-dist.pom.xml`` beside this module)
into a cache shared by every instance, then run with ``java`` straight from those jars.

An *instance* is a folder (``Settings.db_dir``) holding its configuration, data, logs,
the pid of the server it started and the password generated on its first start
(mode 0600). Tests use an instance of their own in a temporary folder, on free ports,
so they never touch the data of the instance ``make demo`` uses.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graph.errors import ConfigurationError, DatabaseUnavailable, LocalDatabaseError
from graph.localdb.versions import BROWSER_VERSION, GDS_VERSION, NEO4J_VERSION
from graph.settings import Settings

__all__ = ["InstanceStatus", "LocalNeo4j", "new_password"]


def new_password() -> str:
    """A generated password: 192 random bits in hex.

    Hex, not URL-safe base64: a value starting with ``-`` would be read by
    ``neo4j-admin`` as an option and the password would not be set.
    """
    return secrets.token_hex(24)


_MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
_ADMIN_CLASS = "org.neo4j.cli.AdminTool"
_MIN_JAVA = 17

# JVM options of Neo4j's own launcher (bin/neo4j) that matter for a server, except the
# collector: ZGC, not the launcher's G1. Resolve answers in real time, and G1's young
# pauses (50-150 ms on 2 cores, every few seconds under load) set its p99: at 100
# resolves/s, 2 GiB heap, p99 was 47 ms with G1 defaults, 28 ms with a 20 ms pause
# goal and 14 ms with ZGC in one run of bench/resolve_bench.py, with ingest's rate
# unchanged (bench/ingest_bench.py). ZGC's pauses stay under a millisecond.
_JVM_OPTIONS = (
    "-XX:+UseZGC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


@dataclass(frozen=True)
class InstanceStatus:
    """What ``idgraph db status`` reports."""

    running: bool
    pid: int | None
    bolt_uri: str
    http_url: str
    home: Path
    installed: bool
    neo4j_version: str = NEO4J_VERSION
    gds_version: str = GDS_VERSION

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly view."""
        return {
            "running": self.running,
            "pid": self.pid,
            "bolt_uri": self.bolt_uri,
            "http_url": self.http_url,
            "browser_url": f"{self.http_url}/browser/",
            "home": str(self.home),
            "installed": self.installed,
            "neo4j_version": self.neo4j_version,
            "gds_version": self.gds_version,
        }


class LocalNeo4j:
    """One project-managed Neo4j instance.

    Args:
        settings: where the jars and the instance live, ports, memory, timeouts.
        progress: called with a short message at each step of long work.
    """

    def __init__(self, settings: Settings, progress: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.home = settings.db_dir
        self._progress = progress or (lambda _msg: None)

    # --- files -------------------------------------------------------------------------

    @property
    def dist_dir(self) -> Path:
        """The assembled jars for the pinned versions (shared by all instances)."""
        name = f"neo4j-{NEO4J_VERSION}-gds-{GDS_VERSION}-browser-{BROWSER_VERSION}"
        return self.settings.cache_dir / name

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.settings.bolt_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    def is_installed(self) -> bool:
        return (self.dist_dir / ".complete").is_file()

    # --- install -----------------------------------------------------------------------

    def install(self) -> Path:
        """Assemble Neo4j, GDS and Browser with Maven into the cache, once per version set.

        Returns:
            The folder holding ``lib/`` and ``plugins/``.
        """
        if self.is_installed():
            return self.dist_dir
        self._check_java()
        mvn = shutil.which(self.settings.mvn)
        if mvn is None:
            raise ConfigurationError(
                f"Maven ('{self.settings.mvn}') is not on PATH: it assembles Neo4j from "
                "Maven Central. Install it (Debian: apt-get install maven)."
            )
        self.settings.cache_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".assemble-", dir=self.settings.cache_dir))
        try:
            pom = work / "pom.xml"
            pom.write_bytes(
                importlib.resources.files("graph.localdb")
                .joinpath("neo4j-dist.pom.xml")
                .read_bytes()
            )
            out = work / "dist"
            self._progress(
                f"assembling Neo4j {NEO4J_VERSION} + GDS {GDS_VERSION} + Browser "
                f"{BROWSER_VERSION} with Maven (first time only)"
            )
            cmd = [
                mvn,
                "-B",
                "-q",
                "-f",
                str(pom),
                "package",
                f"-Dneo4j.version={NEO4J_VERSION}",
                f"-Dgds.version={GDS_VERSION}",
                f"-Dbrowser.version={BROWSER_VERSION}",
                f"-Dout={out}",
            ]
            proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
                raise LocalDatabaseError("Maven could not assemble Neo4j", log_tail=tail)
            for sub in ("lib", "plugins"):
                if not any((out / sub).glob("*.jar")):
                    raise LocalDatabaseError(f"Maven produced no jars in {sub}/")
            (out / ".complete").write_text(
                f"neo4j={NEO4J_VERSION}\ngds={GDS_VERSION}\nbrowser={BROWSER_VERSION}\n"
            )
            if self.dist_dir.exists():
                shutil.rmtree(self.dist_dir)
            out.rename(self.dist_dir)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return self.dist_dir

    def _check_java(self) -> None:
        java = shutil.which(self.settings.java)
        if java is None:
            raise ConfigurationError(
                f"Java ('{self.settings.java}') is not on PATH: Neo4j {NEO4J_VERSION} needs "
                f"Java {_MIN_JAVA}+ (Debian: apt-get install openjdk-17-jre-headless)."
            )
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
        match = re.search(r'version "(\d+)', proc.stderr + proc.stdout)
        if match is None or int(match.group(1)) < _MIN_JAVA:
            found = match.group(1) if match else "unknown"
            raise ConfigurationError(
                f"Neo4j {NEO4J_VERSION} needs Java {_MIN_JAVA}+, found Java {found} at {java}"
            )

    # --- configuration -------------------------------------------------------------------

    def _write_config(self) -> None:
        s = self.settings
        for sub in ("conf", "data", "logs", "run", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        lines = [
            "# Written by idgraph at each start from its settings: edit IDGRAPH_* instead.",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{s.bolt_port}",
            f"server.http.listen_address=127.0.0.1:{s.http_port}",
            "server.https.enabled=false",
            f"server.directories.data={self.home / 'data'}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.run={self.home / 'run'}",
            f"server.directories.import={self.home / 'import'}",
            f"server.directories.plugins={self.dist_dir / 'plugins'}",
            f"server.directories.lib={self.dist_dir / 'lib'}",
            f"server.memory.heap.initial_size={s.heap}",
            f"server.memory.heap.max_size={s.heap}",
            f"server.memory.pagecache.size={s.pagecache}",
            "dbms.security.auth_enabled=true",
            "dbms.security.procedures.unrestricted=gds.*",
            "dbms.security.procedures.allowlist=gds.*",
            "dbms.usage_report.enabled=false",
            "server.bolt.thread_pool_max_size=64",
            "db.tx_log.rotation.retention_policy=2 days 1G",
        ]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.home)
        env["NEO4J_CONF"] = str(self.conf_dir)
        return env

    def _classpath(self) -> str:
        return f"{self.dist_dir / 'plugins'}/*:{self.dist_dir / 'lib'}/*"

    def _ensure_password(self) -> None:
        """Generate the password before the very first start: never neo4j/neo4j."""
        auth = self.home / "data" / "dbms" / "auth.ini"
        if self.password_file.exists():
            return
        if auth.exists():
            raise LocalDatabaseError(
                f"{self.home} has a database but its password file is missing; "
                f"restore {self.password_file} or remove {self.home} to start afresh"
            )
        password = new_password()
        proc = subprocess.run(
            [
                self.settings.java,
                "-cp",
                f"{self.dist_dir / 'lib'}/*",
                _ADMIN_CLASS,
                "dbms",
                "set-initial-password",
                password,
            ],
            env=self._env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            out = (proc.stdout + proc.stderr).replace(password, "***")
            raise LocalDatabaseError("could not set the initial password", log_tail=out[-4000:])
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(password + "\n")

    def password(self) -> str:
        """The instance's generated password (after its first start)."""
        try:
            return self.password_file.read_text().strip()
        except FileNotFoundError:
            raise ConfigurationError(
                f"no password file at {self.password_file}: start the local database "
                "first (idgraph db start) or set NEO4J_URI and NEO4J_PASSWORD"
            ) from None

    # --- process -----------------------------------------------------------------------

    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def _is_ours(self, pid: int) -> bool:
        """True if ``pid`` is alive and is the server of this instance (not a reused pid)."""
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        args = [a.decode(errors="replace") for a in cmdline]
        return _MAIN_CLASS in args and f"--home-dir={self.home}" in args

    def running_pid(self) -> int | None:
        """The pid of this instance's server if it runs, else None."""
        pid = self._read_pid()
        if pid is not None and self._is_ours(pid):
            return pid
        return None

    def status(self) -> InstanceStatus:
        pid = self.running_pid()
        return InstanceStatus(
            running=pid is not None,
            pid=pid,
            bolt_uri=self.bolt_uri,
            http_url=self.http_url,
            home=self.home,
            installed=self.is_installed(),
        )

    def start(self) -> tuple[InstanceStatus, bool]:
        """Start the server unless it already runs, and wait until Bolt answers.

        Returns:
            The status and whether this call started it (False: it was running).
        """
        if self.running_pid() is not None:
            return self.status(), False
        self.install()
        self._check_java()
        for port in (self.settings.bolt_port, self.settings.http_port):
            if _port_in_use(port):
                raise LocalDatabaseError(
                    f"port {port} on 127.0.0.1 is already in use by another process; "
                    "stop it or choose other ports (IDGRAPH_BOLT_PORT, IDGRAPH_HTTP_PORT)"
                )
        self._write_config()
        self._ensure_password()
        console = self.logs_dir / "console.log"
        cmd: list[str] = [
            self.settings.java,
            f"-Xms{self.settings.heap}",
            f"-Xmx{self.settings.heap}",
            *_JVM_OPTIONS,
            "-cp",
            self._classpath(),
            _MAIN_CLASS,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
        ]
        self._progress(f"starting Neo4j on {self.bolt_uri} (home {self.home})")
        # Detach through a shell: the server is not our child, so it outlives this
        # process (the CLI exits) and never lingers as our zombie.
        env = self._env()
        env["IDGRAPH_CONSOLE_LOG"] = str(console)
        launcher = subprocess.run(
            [
                "/bin/sh",
                "-c",
                '"$@" >>"$IDGRAPH_CONSOLE_LOG" 2>&1 </dev/null & echo $!',
                "sh",
                *cmd,
            ],
            cwd=self.home,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            start_new_session=True,
            check=False,
        )
        try:
            pid = int(launcher.stdout.strip())
        except ValueError:
            raise LocalDatabaseError(
                "could not launch Java", log_tail=launcher.stderr[-2000:]
            ) from None
        self.pid_file.write_text(f"{pid}\n")
        self._wait_for_bolt(pid)
        return self.status(), True

    def _wait_for_bolt(self, pid: int) -> None:
        from graph.store.repository import bolt_answers

        deadline = time.monotonic() + self.settings.start_timeout
        auth = ("neo4j", self.password())
        while time.monotonic() < deadline:
            if not self._is_ours(pid):
                self.pid_file.unlink(missing_ok=True)
                raise LocalDatabaseError("Neo4j exited during start-up", log_tail=self.log_tail(60))
            if _port_in_use(self.settings.bolt_port):
                try:
                    answers = bolt_answers(self.bolt_uri, auth)
                except DatabaseUnavailable as e:
                    raise LocalDatabaseError(
                        "Neo4j refuses the generated password", log_tail=self.log_tail(20)
                    ) from e
                if answers:
                    # The HTTP connector (Browser) opens just after Bolt.
                    while time.monotonic() < deadline:
                        if _port_in_use(self.settings.http_port):
                            return
                        time.sleep(0.2)
                    break
            time.sleep(0.5)
        self.stop()
        raise LocalDatabaseError(
            f"Neo4j did not answer on {self.bolt_uri} within "
            f"{self.settings.start_timeout:.0f} s (IDGRAPH_START_TIMEOUT)",
            log_tail=self.log_tail(60),
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server this instance started (by its recorded pid).

        Returns:
            True if a server was stopped, False if none was running.
        """
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        self._progress(f"stopping Neo4j (pid {pid})")
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._is_ours(pid):
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def log_tail(self, lines: int = 50) -> str:
        """The last lines of the server's logs (neo4j.log, else the console output)."""
        chunks = []
        for name in ("neo4j.log", "console.log"):
            path = self.logs_dir / name
            if path.is_file():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                if text:
                    chunks.append(f"[{name}]\n" + "\n".join(text))
        return "\n".join(chunks) if chunks else f"(no logs yet in {self.logs_dir})"


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _reap(pid: int) -> None:
    """Collect the exit status if the server is our child, so no zombie stays."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
