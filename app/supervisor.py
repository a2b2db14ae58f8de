"""What `registry serve` becomes once the registry is ready to serve: the background roles'
process and uvicorn's workers, watched by a process that holds none of the registry's code.

`registry serve` migrates, seeds and prints the demo key in a process that has imported the
registry (about 110 MB), then replaces itself with this module (`os.execv`), which imports only
uvicorn (about 30 MB) for as long as the service runs. The process id stays the same, so a
signal sent to `registry serve` reaches uvicorn, which lets requests in flight finish.
"""

import argparse
import os
import subprocess
import sys

import uvicorn

# The background roles (indexing, deliveries) can wait a moment and requests cannot: they run at a
# lower CPU priority from their first instruction, so their start does not slow the workers'.
BACKGROUND_NICENESS = 10


def command(
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    timeout_worker_healthcheck: int,
    timeout_graceful_shutdown: int,
) -> list[str]:
    """The command line that runs this module with these settings."""
    return [
        sys.executable,
        "-m",
        __name__,
        f"--host={host}",
        f"--port={port}",
        f"--workers={workers}",
        f"--log-level={log_level}",
        f"--timeout-worker-healthcheck={timeout_worker_healthcheck}",
        f"--timeout-graceful-shutdown={timeout_graceful_shutdown}",
    ]


def main(arguments: list[str]) -> None:
    options = _parser().parse_args(arguments)
    # No thread runs yet in this process, so `preexec_fn` is safe here.
    roles = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "background"], preexec_fn=lambda: os.nice(BACKGROUND_NICENESS)
    )
    try:
        uvicorn.run(
            "app.main:app",
            host=options.host,
            port=options.port,
            workers=options.workers,
            log_level=options.log_level,
            proxy_headers=True,
            timeout_worker_healthcheck=options.timeout_worker_healthcheck,
            timeout_graceful_shutdown=options.timeout_graceful_shutdown,
        )
    finally:
        roles.terminate()
        roles.wait()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="registry serve (supervisor)")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--log-level", required=True)
    parser.add_argument("--timeout-worker-healthcheck", type=int, required=True)
    parser.add_argument("--timeout-graceful-shutdown", type=int, required=True)
    return parser


if __name__ == "__main__":
    main(sys.argv[1:])
