"""Error codes and the body shapes each Huawei Cloud component answers with.

Codes are taken from the public error-code tables where one fits (API Gateway APIGW.*, RDS DBS.*,
DBSS DBSS.*, OBS S3-style codes); the README lists every code the simulator can return.
"""

from xml.sax.saxutils import escape

# API Gateway (shared by every service; flat body with request_id)
APIGW_API_NOT_FOUND = "APIGW.0101"        # 404 unknown path or method
APIGW_AUTH_FAILED = "APIGW.0301"          # 401 bad/missing AK/SK signature or token
APIGW_PROJECT_FORBIDDEN = "APIGW.0306"    # 403 token used on another project, or a project id no simulated region owns
APIGW_THROTTLED = "APIGW.0308"            # 429 default code of a `status` fault with status 429
SERVER_ERROR = "SYS.5000"                 # default code of a `status` fault with a 5xx status
FAULT_ERROR = "SIM.0001"                  # default code of a `status` fault with any other status

# DBSS (flat body with details + encoded_authorization_message)
DBSS_INVALID_PARAMETER = "DBSS.10000001"  # 400 offset/limit not an integer or out of range
DBSS_INSTANCE_NOT_FOUND = "DBSS.10021004"  # 400 unknown audit instance id

# RDS (flat body: error_code, error_msg)
RDS_INVALID_PARAMETER = "DBS.200001"      # 400 any invalid/missing query or body parameter
RDS_INSTANCE_NOT_FOUND = "DBS.200002"     # 404 unknown RDS instance id
RDS_ENGINE_NOT_SUPPORTED = "DBS.200040"   # 400 audit-log APIs called on a non-MySQL instance

# IAM (keystone-style nested body: {"error": {"code", "message", "title"}})
IAM_AUTH_FAILED = "IAM.0001"              # 401 wrong user name, password or domain name
IAM_PROJECT_NOT_FOUND = "IAM.0004"        # 400 token scope names a project that does not exist
IAM_INVALID_BODY = "IAM.0011"             # 400 malformed token or securitytokens request body, duration_seconds out of range
IAM_FORBIDDEN = "IAM.0002"                # 403 the agency does not trust the caller's account
IAM_AGENCY_NOT_FOUND = "IAM.0006"         # 404 no such agency in that account, or no such account

# OBS object storage behind the audit-log download links (XML body: <Error><Code><Message><RequestId>)
OBS_SIGNATURE_MISMATCH = "SignatureDoesNotMatch"  # 403 wrong Signature, or a method other than GET
OBS_ACCESS_DENIED = "AccessDenied"                # 403 expired link ("Request has expired"), or no Signature/Expires
OBS_NO_SUCH_KEY = "NoSuchKey"                     # 404 correctly signed link to an object that does not exist
OBS_NO_SUCH_BUCKET = "NoSuchBucket"               # 404 a path under /obs/ outside the rds-auditlog bucket
OBS_XML_CONTENT_TYPE = "application/xml"
# Default codes of a `status` fault on a storage path.
_OBS_FAULT_CODES = {400: "InvalidArgument", 403: OBS_ACCESS_DENIED, 404: OBS_NO_SUCH_KEY, 405: "MethodNotAllowed", 500: "InternalError",
                    501: "NotImplemented", 503: "ServiceUnavailable"}


class ApiError(Exception):
    """Raised by handlers; the app turns it into a response with the given status and body."""

    def __init__(self, status, body, headers=None):
        super().__init__("%s %s" % (status, body))
        self.status = status
        self.body = body
        self.headers = headers or {}


def gateway_body(code, msg, request_id):
    return {"error_code": code, "error_msg": msg, "request_id": request_id}


def dbss_body(code, msg):
    return {"error_code": code, "error_msg": msg, "details": [], "encoded_authorization_message": None}


def rds_body(code, msg):
    return {"error_code": code, "error_msg": msg}


def iam_body(code, message, title):
    return {"error": {"code": code, "message": message, "title": title}}


def nested_body(code, msg, request_id):
    return {"error": {"error_code": code, "error_msg": msg}, "request_id": request_id}


def gateway_error(status, code, msg, request_id):
    return ApiError(status, gateway_body(code, msg, request_id))


def auth_failed(reason, request_id):
    return gateway_error(401, APIGW_AUTH_FAILED, "Incorrect IAM authentication information: %s" % reason, request_id)


def dbss_invalid(msg):
    return ApiError(400, dbss_body(DBSS_INVALID_PARAMETER, msg))


def rds_invalid(msg):
    return ApiError(400, rds_body(RDS_INVALID_PARAMETER, msg))


def default_fault_code(status):
    if status == 429:
        return APIGW_THROTTLED
    if status >= 500:
        return SERVER_ERROR
    return FAULT_ERROR


def obs_error_xml(code, message, request_id):
    """The body OBS (like S3) answers errors with."""
    return ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>'
            % (escape(code), escape(message), escape(request_id))).encode("utf-8")


def default_obs_fault_code(status):
    if status in _OBS_FAULT_CODES:
        return _OBS_FAULT_CODES[status]
    return "InternalError" if status >= 500 else "SimulatedFault"
