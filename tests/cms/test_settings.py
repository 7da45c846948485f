import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "cms.settings.production",
    "SECRET_KEY": "k" * 20 + "-production-secret-that-is-long-and-random-enough-1234",
    "ALLOWED_HOSTS": "learn.example.org",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
}


def manage(*args, **env):
    environment = {**os.environ, **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_a_missing_or_weak_secret_key():
    result = manage("check", **{**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_missing_allowed_hosts():
    result = manage("check", **{**PRODUCTION_ENV, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize(
    "cache_url", [None, "locmemcache://", "dummycache://", "filecache:///tmp/ratelimits", "dbcache://cache_table"]
)
def test_production_refuses_a_cache_that_processes_do_not_share(cache_url):
    env = {**PRODUCTION_ENV, "CACHE_URL": cache_url}
    if cache_url is None:  # unset: the default, a local-memory cache
        del env["CACHE_URL"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set CACHE_URL to a cache all processes share" in result.stderr


def setting(name, **env):
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_proxy_header_is_trusted_only_behind_a_proxy():
    assert setting("SECURE_PROXY_SSL_HEADER", **PRODUCTION_ENV) == "None"
    behind = setting("SECURE_PROXY_SSL_HEADER", **PRODUCTION_ENV, BEHIND_PROXY="true")
    assert behind == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_production_never_creates_the_demo_accounts():
    # An unreachable database: had the command gone past its check, it would fail on the connection instead.
    env = {**PRODUCTION_ENV, "DEBUG": "true", "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"}
    result = manage("create_demo_accounts", **env)
    assert result.returncode != 0
    assert "Demo accounts are only created with DEBUG on" in result.stderr
