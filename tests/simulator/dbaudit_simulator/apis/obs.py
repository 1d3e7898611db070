"""The OBS bucket the audit-log download links point to: GET /obs/rds-auditlog/{instance_id}/{file_id}.

It stands for object storage, not for an API behind the gateway: no AK/SK or token, no flow control. What
authorises a request is the link's own Expires and Signature query parameters, and errors come as OBS's XML.
"""

import datetime
import email.utils
import re

from .. import errors
from ..storage import BUCKET, PATH_PREFIX, file_length, iter_file_content
from ..wire import Response

_OBJECT_RE = re.compile("^" + re.escape(PATH_PREFIX + BUCKET) + r"/(?P<instance_id>[^/]+)/(?P<file_id>[^/]+)$")
_DECIMAL_RE = re.compile(r"^[0-9]{1,12}$")
SIGNATURE_MISMATCH_MSG = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
EXPIRED_MSG = "Request has expired"


def is_storage_path(path):
    return path.startswith(PATH_PREFIX) or path == PATH_PREFIX.rstrip("/")


def xml_error(status, code, message, request_id, headers=None):
    merged = {"Content-Type": errors.OBS_XML_CONTENT_TYPE}
    merged.update(headers or {})
    return Response(status, errors.obs_error_xml(code, message, request_id), merged)


def expired(request_id):
    """What an expired link gets; the `expire` fault answers the same."""
    return xml_error(403, errors.OBS_ACCESS_DENIED, EXPIRED_MSG, request_id)


def _last_modified(audit_log):
    end = datetime.datetime.strptime(audit_log["end_time"], "%Y-%m-%dT%H:%M:%S%z")
    return email.utils.format_datetime(end.astimezone(datetime.timezone.utc), usegmt=True)


def get_object(app, request):
    """Check the link (bucket, method, signature, expiry, then the object) and stream the file."""
    request_id = request.request_id
    if not request.path.startswith(PATH_PREFIX + BUCKET + "/"):
        return xml_error(404, errors.OBS_NO_SUCH_BUCKET, "The specified bucket does not exist", request_id)
    match = _OBJECT_RE.match(request.path)
    if match is None:
        # Not an {instance_id}/{file_id} key, so no link can name it.
        return xml_error(404, errors.OBS_NO_SUCH_KEY, "The specified key does not exist.", request_id)
    instance_id, file_id = match.group("instance_id"), match.group("file_id")
    if request.method != "GET":
        # Like a presigned OBS URL, the link's signature covers the verb: it is good for GET only.
        return xml_error(403, errors.OBS_SIGNATURE_MISMATCH, SIGNATURE_MISMATCH_MSG, request_id)
    query = request.query
    signature, expires = query.get("Signature"), query.get("Expires")
    if not signature or not expires:
        return xml_error(403, errors.OBS_ACCESS_DENIED, "Anonymous access is forbidden for this operation", request_id)
    if not app.signer.verify(instance_id, file_id, expires, signature):
        return xml_error(403, errors.OBS_SIGNATURE_MISMATCH, SIGNATURE_MISMATCH_MSG, request_id)
    if not _DECIMAL_RE.match(expires) or app.clock() >= int(expires):
        return expired(request_id)
    audit_log = app.find_audit_log(instance_id, file_id)
    if audit_log is None:
        return xml_error(404, errors.OBS_NO_SUCH_KEY, "The specified key does not exist.", request_id)
    length = file_length(audit_log["size"])
    headers = {"Content-Type": "application/octet-stream", "Last-Modified": _last_modified(audit_log)}
    return Response(200, headers=headers, stream=iter_file_content(file_id, length), length=length, on_sent=app.storage_stats.content_sent)
