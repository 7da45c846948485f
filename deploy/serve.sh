#!/usr/bin/env bash
# `make serve`: the production process model on this machine (see "Deployment" in README.md).
#
# gunicorn with uvicorn workers (deploy/gunicorn.conf.py) serving cms.settings.production on loopback.
# Every default below suits one machine with no proxy in front and can be overridden from the
# environment. Before serving: migrations, collectstatic (WhiteNoise serves /static/ from var/static),
# and, on a database with no lesson at all, the demo curriculum and its tutor index.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
export HOST=${HOST:-127.0.0.1}
export PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=cms.settings.production

# Production refuses to start without a real key: this checkout's own, made once and kept in var/.
if [ -z "${SECRET_KEY:-}" ]; then
    mkdir -p var
    if [ ! -s var/secret_key ]; then
        (umask 077 && "$PY" -c "import secrets; print(secrets.token_urlsafe(64))" >var/secret_key)
    fi
    SECRET_KEY=$(cat var/secret_key)
fi
export SECRET_KEY
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export WAGTAILADMIN_BASE_URL=${WAGTAILADMIN_BASE_URL:-http://$HOST:$PORT}
export BEHIND_PROXY=${BEHIND_PROXY:-false}
# Plain HTTP on loopback: redirecting to HTTPS only makes sense behind a proxy that terminates TLS.
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-$BEHIND_PROXY}
# Empty: background tasks run in the web process. Set a broker and run `make worker` beside it instead.
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-}

# Rate limits count in a cache every worker shares (production refuses a per-process one). A Redis on
# loopback is started here when none answers (daemonised, so it outlives this script like the database).
export CACHE_URL=${CACHE_URL:-redis://127.0.0.1:6379/1}
redis_answers() {
    "$PY" -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_timeout=1).ping()' "$CACHE_URL" 2>/dev/null
}
if [[ $CACHE_URL == redis://127.0.0.1:6379/* ]] && ! redis_answers; then
    if ! command -v redis-server >/dev/null; then
        echo "No Redis answers on 127.0.0.1:6379: install one (apt-get install redis-server) or set CACHE_URL." >&2
        exit 1
    fi
    echo "Starting Redis on 127.0.0.1:6379 (var/redis.pid; \`make stop\` stops it)."
    mkdir -p var
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no \
        --dir "$PWD/var" --pidfile "$PWD/var/redis.pid" --logfile "$PWD/var/redis.log"
    for _ in $(seq 50); do redis_answers && break || sleep 0.1; done
fi

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0

has_lessons() {
    "$PY" manage.py shell --no-imports -c "from lessons.models import LessonPage; print(LessonPage.objects.exists())"
}
if [ "${LOAD_DEMO_CURRICULUM:-true}" = true ] && [ "$(has_lessons)" = False ]; then
    echo "No lessons in this database yet: loading the demo curriculum and indexing it for the tutor."
    "$PY" manage.py load_demo_curriculum
    "$PY" manage.py tutor_reindex
fi

echo "Serving cms.settings.production on http://$HOST:$PORT/ (admin: /admin/; \`manage.py createsuperuser\` makes an account)."
exec "$PY" -m gunicorn --config deploy/gunicorn.conf.py
