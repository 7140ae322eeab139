"""system.* and demo.* (IXR_IntrospectionServer's and wp_xmlrpc_server's own), and mt.supported*.

system.multicall runs each entry in a savepoint of the request's transaction: an entry
that faults leaves nothing behind, the others keep their effects, as separate calls
would. A request may hold at most MAX_MULTICALL entries; nesting is refused per entry.
"""

from wpcompat.db import savepoint
from wpcompat.xmlrpc import table
from wpcompat.xmlrpc.call import arg
from wpcompat.xmlrpc.faults import INVALID_REQUEST, Fault
from wpcompat.xmlrpc.table import method

MAX_MULTICALL = 100
CAPABILITIES = {
    "xmlrpc": {"specUrl": "http://www.xmlrpc.com/spec", "specVersion": 1},
    "faults_interop": {"specUrl": "http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php",
                       "specVersion": 20010516},
    "system.multicall": {"specUrl": "http://www.xmlrpc.com/discuss/msgReader$1208", "specVersion": 1},
}
ENTRY_INVALID = ("server error. invalid xml-rpc. Each multicall entry must be a struct with a string "
                 "methodName")


@method("demo.sayHello")
def demo_say_hello(call, args):
    return "Hello!"


@method("demo.addTwoNumbers")
def demo_add_two_numbers(call, args):
    first, second = arg(args, 0), arg(args, 1)
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in (first, second)):
        raise Fault(400, "Invalid arguments passed to this XML-RPC method. Requires two integers.")
    return first + second


@method("system.getCapabilities")
def system_get_capabilities(call, args):
    return CAPABILITIES


@method("system.listMethods")
def system_list_methods(call, args):
    return list(reversed(table.registered_names()))


@method("mt.supportedMethods")
def mt_supported_methods(call, args):
    return [name for name in table.registered_names() if not name.startswith("system.")]


@method("mt.supportedTextFilters")
def mt_supported_text_filters(call, args):
    return []


@method("system.multicall")
def system_multicall(call, args):
    from wpcompat.xmlrpc.dispatch import invoke

    calls = args[0] if len(args) == 1 else None
    if not isinstance(calls, list):
        raise Fault(INVALID_REQUEST, "server error. invalid xml-rpc. system.multicall expects an array of calls")
    if len(calls) > MAX_MULTICALL:
        raise Fault(INVALID_REQUEST, f"system.multicall accepts at most {MAX_MULTICALL} calls per request.")
    results = []
    for entry in calls:
        try:
            results.append([_one(call, entry, invoke)])
        except Fault as fault:
            results.append(fault.as_struct())
    return results


def _one(call, entry, invoke):
    if not isinstance(entry, dict) or not isinstance(entry.get("methodName"), str):
        raise Fault(INVALID_REQUEST, ENTRY_INVALID)
    name = entry["methodName"]
    if name == "system.multicall":
        raise Fault(INVALID_REQUEST, "Recursive calls to system.multicall are forbidden")
    params = entry.get("params", [])
    params = params if isinstance(params, list) else [params]
    with savepoint():                                   # a fault undoes this entry only, files included
        return invoke(call.req, call.state, name, params)
