"""IAM: password token issue (POST /v3/auth/tokens) and project lookup (GET /v3/projects)."""

import datetime
import hashlib
import hmac

from .. import errors
from ..wire import json_response

_IAM_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _iam_error(status, code, message, title):
    return errors.ApiError(status, errors.iam_body(code, message, title))


def _invalid(message):
    return _iam_error(400, errors.IAM_INVALID_BODY, message, "Bad Request")


def _iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(_IAM_TIME_FORMAT)


def _dig(obj, *keys):
    for key in keys:
        if not isinstance(obj, dict) or key not in obj:
            raise _invalid("Request body is invalid: missing %s" % ".".join(keys))
        obj = obj[key]
    return obj


def _user_id(app):
    return hashlib.sha256(("user:" + app.credentials["user_name"]).encode("utf-8")).hexdigest()[:32]


def _same(received, expected):
    return isinstance(received, str) and hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8"))


def create_token(ctx):
    app = ctx.app
    try:
        body = ctx.request.json()
    except ValueError as exc:
        raise _invalid("Request body is invalid: not JSON") from exc
    identity = _dig(body, "auth", "identity")
    if _dig(identity, "methods") != ["password"]:
        raise _invalid("Request body is invalid: identity.methods must be [\"password\"]")
    user = _dig(identity, "password", "user")
    name, password, domain = _dig(user, "name"), _dig(user, "password"), _dig(user, "domain", "name")
    scope_project = _dig(body, "auth", "scope", "project")
    if not isinstance(scope_project, dict) or not ({"name", "id"} & set(scope_project)):
        raise _invalid("Request body is invalid: scope.project needs a name or an id")
    creds = app.credentials
    # Evaluate all three so the answer does not reveal which part was wrong.
    ok = [_same(name, creds["user_name"]), _same(password, creds["password"]), _same(domain, creds["domain_name"])]
    if not all(ok):
        raise _iam_error(401, errors.IAM_AUTH_FAILED, "The username or password is wrong.", "Unauthorized")
    region = app.find_region(project_id=scope_project.get("id"), name=scope_project.get("name"))
    if region is None:
        raise _iam_error(400, errors.IAM_PROJECT_NOT_FOUND, "The project %s does not exist." % (scope_project.get("name") or scope_project.get("id")),
                         "Bad Request")
    token, issued, expires = app.tokens.issue(region.project_id)
    domain_ref = {"id": app.data.domain_id, "name": creds["domain_name"]}
    payload = {"token": {
        "expires_at": _iso(expires),
        "issued_at": _iso(issued),
        "methods": ["password"],
        "project": {"id": region.project_id, "name": region.name, "domain": domain_ref},
        "user": {"id": _user_id(app), "name": creds["user_name"], "domain": domain_ref, "password_expires_at": ""},
        "roles": [{"id": "0", "name": "op_fine_grained"}],
        "catalog": [],
    }}
    return json_response(201, payload, headers={"X-Subject-Token": token})


def list_projects(ctx):
    """The projects of the account the credentials act as (for an agency's temporary keys, the agency's account)."""
    account = ctx.account
    wanted = ctx.query.get("name")
    projects = []
    for region in account.data.regions.values():
        if wanted is not None and region.name != wanted:
            continue
        projects.append({
            "id": region.project_id,
            "name": region.name,
            "domain_id": account.domain_id,
            "parent_id": account.domain_id,
            "is_domain": False,
            "enabled": True,
            "description": "",
            "links": {"self": "/v3/projects/%s" % region.project_id},
        })
    return json_response(200, {"projects": projects, "links": {"self": "/v3/projects", "previous": None, "next": None}})
