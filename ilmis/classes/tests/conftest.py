import threading
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from ilmis.classes import graph
from ilmis.classes.models import PARIS
from ilmis.enrolment.testing import enrol, make_session

from . import fake_graph


def paris(day, hour, minute=0):
    return datetime.combine(day, datetime.min.time(), tzinfo=PARIS).replace(
        hour=hour, minute=minute
    )


@pytest.fixture
def tomorrow():
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def trainer(make_user):
    return make_user(role="trainer", first_name="Claire", last_name="Fournier")


@pytest.fixture
def session(db):
    return make_session(title="Excel avancé — session de novembre")


@pytest.fixture
def enrolled(session, learner):
    """`learner`, confirmed in `session` with an open access window."""
    enrol(learner, session)
    return learner


@pytest.fixture
def outsider(make_user):
    """A second learner, enrolled elsewhere: must be refused."""
    user = make_user(role="learner", first_name="Autre", last_name="Apprenant")
    enrol(user, make_session())
    return user


@pytest.fixture(autouse=True)
def _no_graph(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    for name in (
        "TENANT_ID",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "CERTIFICATE_PATH",
        "CERTIFICATE_THUMBPRINT",
        "ORGANIZER",
        "AUTHORITY_URL",
        "BASE_URL",
    ):
        monkeypatch.delenv(f"ILMIS_GRAPH_{name}", raising=False)
    graph.forget_tokens()
    yield
    graph.forget_tokens()


@pytest.fixture(scope="session")
def _graph_server(tmp_path_factory):
    cert, key = fake_graph.make_certificate(tmp_path_factory.mktemp("graph"))
    server = fake_graph.FakeGraph(cert, key)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.cert_path = cert
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def graph_server(_graph_server, settings, monkeypatch):
    """Graph configured against the local fake server; waits recorded instead of slept."""
    server = _graph_server
    server.requests.clear()
    server.scripts.clear()
    server.meetings.clear()
    server.attendance.clear()
    settings.ILMIS_GRAPH_TENANT_ID = fake_graph.TENANT
    settings.ILMIS_GRAPH_CLIENT_ID = fake_graph.CLIENT_ID
    settings.ILMIS_GRAPH_CLIENT_SECRET = fake_graph.SECRET
    settings.ILMIS_GRAPH_ORGANIZER = fake_graph.ORGANIZER
    settings.ILMIS_GRAPH_AUTHORITY_URL = server.url
    settings.ILMIS_GRAPH_BASE_URL = f"{server.url}/v1.0"
    settings.ILMIS_GRAPH_CA_BUNDLE = str(server.cert_path)
    settings.ILMIS_GRAPH_TIMEOUT = 0.5
    settings.ILMIS_GRAPH_MAX_ATTEMPTS = 3
    settings.ILMIS_GRAPH_MAX_RETRY_AFTER = 30
    server.timeout_seconds = 1.5
    server.thumbprint_b64 = None
    server.waits = []
    monkeypatch.setattr(graph, "_sleep", server.waits.append)
    return server
