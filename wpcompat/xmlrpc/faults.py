"""XML-RPC faults: WordPress's IXR_Error, raised anywhere inside a method and answered by the server."""

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601

PARSE_MESSAGE = "parse error. not well formed"
NOT_METHOD_CALL = "server error. invalid xml-rpc. not conforming to spec. Request must be a methodCall"
INSUFFICIENT_ARGS = "Insufficient arguments passed to this XML-RPC method."
BAD_LOGIN = "Incorrect username or password."


class Fault(Exception):
    """A fault answered as <methodResponse><fault>: faultCode (int) and faultString."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = int(code), str(message)

    def as_struct(self):
        return {"faultCode": self.code, "faultString": self.message}

    @classmethod
    def parse_error(cls):
        return cls(PARSE_ERROR, PARSE_MESSAGE)

    @classmethod
    def unknown_method(cls, name):
        return cls(METHOD_NOT_FOUND, f"server error. requested method {name} does not exist.")

    @classmethod
    def insufficient_arguments(cls):
        return cls(400, INSUFFICIENT_ARGS)

    @classmethod
    def bad_login(cls):
        return cls(403, BAD_LOGIN)
