"""A WSGI app for the worker's own tests (tests/test_serve.py): /sleep?SECONDS answers after that long,
/short announces 10 bytes and sends 3, /hello says hello, any other path echoes itself."""

import time


def app(environ, start_response):
    path, query = environ["PATH_INFO"], environ.get("QUERY_STRING", "")
    environ["wsgi.input"].read()
    if path == "/sleep":
        time.sleep(float(query))
        body = f"slept {query}".encode()
    elif path == "/short":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [b"abc"]
    else:
        body = b"hello" if path == "/hello" else path.encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
