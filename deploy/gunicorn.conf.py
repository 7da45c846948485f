"""gunicorn settings for every web process: `make serve` (deploy/serve.sh) and the Compose file's `web`.

gunicorn is the process manager (restarts a worker that dies or hangs, reloads gracefully on HUP, stops
gracefully on TERM); each worker runs uvicorn's event loop with Django's ASGI application, so a worker
holds many open answer streams at once. Environment: ``HOST``/``PORT`` (bind), ``WEB_CONCURRENCY``
(worker processes, default one per CPU core this process may use).
"""

import os

wsgi_app = "cms.asgi:application"
worker_class = "uvicorn_worker.UvicornWorker"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Async workers are not blocked by slow clients or by the model, so one per core keeps the CPU busy; each
# one loads the embedding model (about 50 MB), so memory grows with the count.
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
# A deploy or restart lets open answers finish: the longest one is cut at TUTOR_ANSWER_DEADLINE_SECONDS.
graceful_timeout = int(float(os.environ.get("TUTOR_ANSWER_DEADLINE_SECONDS") or 90)) + 10
# Longer than the proxy's idle upstream keep-alive (nginx: 60 s), so nginx never reuses a connection
# that the worker is closing at that moment (a 502 now and then).
keepalive = 75
