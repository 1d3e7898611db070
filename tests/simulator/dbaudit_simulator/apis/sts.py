"""IAM agencies: temporary AK/SK and security token for an agency (POST /v3.0/OS-CREDENTIAL/securitytokens).

Field names follow the official SDK (huaweicloudsdkiam CreateTemporaryAccessKeyByAgencyRequestBody: auth.identity.methods
["assume_role"], auth.identity.assume_role {agency_name, domain_name | domain_id, duration_seconds 900..86400, default 900};
response 201 {"credential": {"access", "secret", "securitytoken", "expires_at"}}).
"""

from .. import errors
from ..accounts import iam_time
from ..wire import json_response

MIN_DURATION = 900
MAX_DURATION = 86400
DEFAULT_DURATION = 900


def _error(status, code, message, title):
    return errors.ApiError(status, errors.iam_body(code, message, title))


def _invalid(message):
    return _error(400, errors.IAM_INVALID_BODY, "Request body is invalid: %s" % message, "Bad Request")


def _object(value, path):
    if not isinstance(value, dict):
        raise _invalid("%s must be an object" % path)
    return value


def _assume_role(body):
    identity = _object(_object(_object(body, "body").get("auth"), "auth").get("identity"), "auth.identity")
    if identity.get("methods") != ["assume_role"]:
        raise _invalid('auth.identity.methods must be ["assume_role"]')
    role = _object(identity.get("assume_role"), "auth.identity.assume_role")
    name = role.get("agency_name")
    if not isinstance(name, str) or not 1 <= len(name) <= 64:
        raise _invalid("assume_role.agency_name must be a string of 1 to 64 characters")
    given = [key for key in ("domain_name", "domain_id") if role.get(key) is not None]
    if len(given) != 1:
        raise _invalid("assume_role needs exactly one of domain_name and domain_id")
    if not isinstance(role[given[0]], str) or not role[given[0]]:
        raise _invalid("assume_role.%s must be a non-empty string" % given[0])
    duration = role.get("duration_seconds", DEFAULT_DURATION)
    if isinstance(duration, bool) or not isinstance(duration, int) or not MIN_DURATION <= duration <= MAX_DURATION:
        raise _invalid("assume_role.duration_seconds must be an integer from %d to %d, got %r" % (MIN_DURATION, MAX_DURATION, duration))
    return name, given[0], role[given[0]], duration


def create_temporary_credentials(ctx):
    try:
        body = ctx.request.json()
    except ValueError as exc:
        raise _invalid("not JSON") from exc
    agency, key, value, duration = _assume_role(body)
    accounts = ctx.app.accounts
    target = accounts.find(**{key: value})
    trusted = target.agencies.get(agency) if target is not None else None
    if trusted is None:
        raise _error(404, errors.IAM_AGENCY_NOT_FOUND, "Could not find agency %s of domain %s." % (agency, value), "Not Found")
    if trusted != ctx.account.domain_id:
        raise _error(403, errors.IAM_FORBIDDEN, "You are not authorized to perform the requested action: agency %s does not trust domain %s."
                     % (agency, ctx.account.domain_name), "Forbidden")
    credential = accounts.issue(target, agency, duration)
    return json_response(201, {"credential": {"access": credential.access, "secret": credential.secret, "securitytoken": credential.securitytoken,
                                              "expires_at": iam_time(credential.expires_at)}})
