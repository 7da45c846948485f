"""A real OpenID Connect provider on loopback for the identity tests: oidc-provider-mock in a thread.

oidc-provider-mock (authlib underneath) serves discovery, JWKS, authorization, token, userinfo and
end-session endpoints, signs ID tokens with its own RSA key and puts the authorization request's
nonce in them. What it lets a test control: each subject's claims (``set_claims``, its
``PUT /users/<sub>``) and the lifetime of its tokens (``token_lifetime``; a negative one issues
tokens that expired before they were issued). It checks no PKCE verifier, so the tests read what the
site sent it from the request log kept here (``requests``) instead.

The provider listens on 127.0.0.1, so its issuer is ``http://127.0.0.1:<port>``; the site under test
is at ``localhost`` (Django's test client or live server), so the two never share cookies.
"""

import io
import os
import threading
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
import werkzeug.serving


@dataclass(frozen=True)
class Seen:
    """One request the provider received: method, path, query and form parameters (first values)."""

    method: str
    path: str
    query: dict
    form: dict


class Recorder:
    """WSGI middleware keeping every request the provider receives."""

    def __init__(self, app):
        self.app = app
        self.seen = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = parse_qs(body.decode()) if "form-urlencoded" in environ.get("CONTENT_TYPE", "") else {}
        query = parse_qs(environ.get("QUERY_STRING", ""))
        self.seen.append(
            Seen(
                environ["REQUEST_METHOD"],
                environ["PATH_INFO"],
                {key: values[0] for key, values in query.items()},
                {key: values[0] for key, values in form.items()},
            )
        )
        return self.app(environ, start_response)


class MockProvider:
    def __init__(self, *, token_lifetime=timedelta(hours=1)):
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # authlib refuses plain http otherwise; loopback only
        from oidc_provider_mock import app

        self.recorder = Recorder(app(access_token_max_age=token_lifetime))
        self.server = werkzeug.serving.make_server("127.0.0.1", 0, self.recorder, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)
        self.server.server_close()

    @property
    def issuer(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def requests(self):
        return self.recorder.seen

    def requests_to(self, path):
        return [seen for seen in self.recorder.seen if seen.path == path]

    def set_claims(self, sub, **claims):
        """The claims the provider gives ``sub`` from now on (besides ``sub`` itself)."""
        requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def authorize(self, authorization_url, sub):
        """Sign in at the provider as ``sub`` (its form's "Authorize"); returns where it sends the browser."""
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def environ(self, provider_id, *, name, client_id="platform-client"):
        """The environment variables that configure this provider under ``provider_id``."""
        prefix = f"OIDC_{provider_id.upper()}_"
        return {
            f"{prefix}ISSUER": self.issuer,
            f"{prefix}CLIENT_ID": client_id,
            f"{prefix}CLIENT_SECRET": "platform-secret",
            f"{prefix}NAME": name,
        }


def provider_settings(*providers):
    """``SOCIALACCOUNT_PROVIDERS`` for ``(provider id, MockProvider, name)`` triples, as the settings build it."""
    from identity.configuration import openid_connect_settings

    environ = {"OIDC_PROVIDERS": ",".join(provider_id for provider_id, _mock, _name in providers)}
    for provider_id, mock, name in providers:
        environ.update(mock.environ(provider_id, name=name))
    return {"openid_connect": openid_connect_settings(environ)}


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
