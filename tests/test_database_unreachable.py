"""A PostgreSQL server that accepts the connection and then never answers: the request is answered 503
db_connect_fail once libpq's connect_timeout (db.CONNECT_TIMEOUT_SECONDS) runs out, instead of holding
the worker until gunicorn kills it (and the audit writer's connection gives up the same way)."""

import socket
import threading

import peewee
import pytest
from falcon import testing

from conf.settings import load_settings
from wpcompat import db
from wpcompat.app import create_app


@pytest.fixture
def silent_server():
    """A TCP port whose kernel completes the handshake (the listen backlog) and where nobody ever speaks."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def run_with_deadline(call, seconds):
    """call()'s result, or a failed test if it has not returned within `seconds` (a hung connect)."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("value", call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still waiting after {seconds} s: the connection attempt never gave up"
    return outcome["value"]


def test_a_connection_to_a_server_that_never_answers_gives_up(monkeypatch, silent_server):
    monkeypatch.setattr(db, "CONNECT_TIMEOUT_SECONDS", 2)           # libpq's smallest
    database = db.open_database(f"postgresql://postgres@127.0.0.1:{silent_server}/nowhere", 1)

    def connect():
        try:
            database.connect()
        except peewee.OperationalError as error:
            return error
        return None

    error = run_with_deadline(connect, 30)
    assert error is not None and "timeout expired" in str(error)


def test_a_request_is_answered_503_db_connect_fail_when_the_server_never_answers(monkeypatch, silent_server):
    monkeypatch.setattr(db, "CONNECT_TIMEOUT_SECONDS", 2)
    settings = load_settings({"WPCOMPAT_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{silent_server}/nowhere",
                              "WPCOMPAT_LOG_LEVEL": "CRITICAL"})
    app = run_with_deadline(lambda: create_app(settings), 30)      # boots: the role check waits for a connection
    client = testing.TestClient(app)
    result = run_with_deadline(lambda: client.simulate_get("/wp-json/wp/v2/posts", host="clinic.example"), 30)
    assert result.status_code == 503
    assert result.json["code"] == "db_connect_fail"
    assert result.json["message"] == "Error establishing a database connection."
    assert result.headers["Retry-After"] == "1"
