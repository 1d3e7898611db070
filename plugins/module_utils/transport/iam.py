# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two IAM calls the client needs: a project-scoped token for a password, and a project id for a region."""

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import check_project_id, region_hint
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import (
    HuaweiCloudConfigError,
    HuaweiCloudError,
    ResponseShapeError,
    clip,
)

TOKENS_PATH = '/v3/auth/tokens'
PROJECTS_PATH = '/v3/projects'
SUBJECT_TOKEN_HEADER = 'X-Subject-Token'


def password_token_body(user_name, password, domain_name, region, project_id=None):
    scope = {'id': project_id} if project_id else {'name': region}
    return {
        'auth': {
            'identity': {
                'methods': ['password'],
                'password': {'user': {'name': user_name, 'password': password, 'domain': {'name': domain_name}}},
            },
            'scope': {'project': scope},
        }
    }


def issue_password_token(client, user_name, password, domain_name, region, project_id=None):
    """Return ``(token, project_id)``; IAM answers 201 with the token in ``X-Subject-Token``."""
    response = client.request('POST', 'iam', TOKENS_PATH,
                              json_body=password_token_body(user_name, password, domain_name, region, project_id),
                              expected_status=(201,), authenticate=False, idempotent=True)
    token = response.headers.get(SUBJECT_TOKEN_HEADER)
    if not token:
        raise HuaweiCloudError('IAM answered without an %s header' % SUBJECT_TOKEN_HEADER, status=response.status,
                               method='POST', path=TOKENS_PATH, request_id=response.request_id)
    token_body = response.body.get('token')
    project = token_body.get('project') if isinstance(token_body, dict) else None
    if project is None:
        return token, None
    if not isinstance(project, dict):
        raise _shape_error(response, 'POST', TOKENS_PATH, 'token.project', project, 'an object')
    return token, _project_id(response, 'POST', TOKENS_PATH, 'token.project.id', project.get('id'))


def lookup_project_id(client, region):
    response = client.request('GET', 'iam', PROJECTS_PATH, query={'name': region})
    projects = response.body.get('projects')
    if not isinstance(projects, list):
        raise _shape_error(response, 'GET', PROJECTS_PATH, 'projects', projects, 'a list')
    if not projects:
        raise HuaweiCloudError("IAM knows no project named '%s' for these credentials: check region or set "
                               "project_id%s" % (region, region_hint(region)), method='GET', path=PROJECTS_PATH,
                               request_id=response.request_id)
    if not isinstance(projects[0], dict):
        raise _shape_error(response, 'GET', PROJECTS_PATH, 'projects[0]', projects[0], 'an object')
    return _project_id(response, 'GET', PROJECTS_PATH, 'projects[0].id', projects[0].get('id'))


def _project_id(response, method, path, field, value):
    """A project ID from IAM goes into every later request path: it must look like one."""
    try:
        return check_project_id(value, field)
    except HuaweiCloudConfigError:
        raise _shape_error(response, method, path, field, value, 'a project ID (letters, digits, - and _)')


def _shape_error(response, method, path, field, value, expected):
    found = 'missing' if value is None else 'the %s %s' % (type(value).__name__, clip(repr(value), 40))
    return ResponseShapeError('IAM answer without the documented shape: field %s is %s, expected %s'
                              % (field, found, expected), status=response.status, method=method, path=path,
                              request_id=response.request_id)
