# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The two IAM calls the client needs: a project-scoped token for a password, and a project id for a region."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudError

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
                               method='POST', path=TOKENS_PATH)
    project = (response.body.get('token') or {}).get('project') or {}
    return token, project.get('id')


def lookup_project_id(client, region):
    body = client.get('iam', PROJECTS_PATH, {'name': region})
    projects = body.get('projects') or []
    if not projects:
        raise HuaweiCloudError("IAM knows no project named '%s' for these credentials: check region or set project_id"
                               % region, method='GET', path=PROJECTS_PATH)
    return projects[0]['id']
