"""Calling one method: IXR's argument unwrapping, minimum arguments, the audit row, faults.

Every call is audited as `xmlrpc:<method>` (allow or deny, with the fault code). A
WPError from the shared data layer becomes a fault with its status and message; any
other exception is logged and answered as fault 500, never a traceback.
"""

import logging

from wpcompat.audit import record
from wpcompat.errors import CRITICAL_MESSAGE, WPError
from wpcompat.xmlrpc import table
from wpcompat.xmlrpc.call import Call
from wpcompat.xmlrpc.faults import Fault

log = logging.getLogger("wpcompat")


def unwrap(params):
    """IXR_Server::call: a single parameter is passed on by itself (a list of params when it is an array)."""
    if len(params) == 1 and isinstance(params[0], list):
        return params[0]
    return list(params)


def invoke(req, state, name, params):
    """The method's return value, or Fault."""
    entry = table.find(name)
    call = Call(req, state, name)
    if entry is None:
        _audit(call, "read", "deny", fault_code=-32601)
        raise Fault.unknown_method(name)
    args = params if name == "system.multicall" else unwrap(params)
    try:
        if entry.min_args and len(args) < entry.min_args:
            raise Fault.insufficient_arguments()
        value = entry.function(call, args)
    except Fault as fault:
        _audit(call, entry.operation, "deny", fault_code=fault.code)
        raise
    except WPError as error:
        _audit(call, entry.operation, "deny", fault_code=error.status)
        raise Fault(error.status, error.message) from None
    except Exception:
        log.exception("XML-RPC %s failed (request %s)", name, req.context.request_id)
        _audit(call, entry.operation, "deny", fault_code=500)
        raise Fault(500, CRITICAL_MESSAGE) from None
    _audit(call, entry.operation, "allow")
    return value


def _audit(call, operation, decision, **extra):
    if call.user.is_authenticated:
        extra.setdefault("xmlrpc_user", call.user.wp_id)
    record(call.req, f"xmlrpc:{call.name}", call.resource_id, operation=operation, policy_decision=decision,
           **call.audit_extra, **extra)
