"""WordPress's XML-RPC API at /xmlrpc.php (spec/xmlrpc.md).

parser.py reads a methodCall safely (defusedxml, no DOCTYPE, bounded size and element
count) and writes methodResponses; server.py is the Falcon resource and the dispatcher;
auth.py logs callers in; the methods_*.py modules implement the methods on the same data
layer as the REST API (queries/, editing/, permissions.py).
"""
