# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection options every module accepts, with the environment variables users already have set for the
Huawei Cloud Terraform provider and Python SDK. Documented once in the ``hwcloud.dbaudit.common`` doc fragment."""

from ansible.module_utils.basic import env_fallback


def common_argument_spec():
    return dict(
        access_key=dict(type='str', no_log=False, fallback=(env_fallback, ['HW_ACCESS_KEY', 'HUAWEICLOUD_SDK_AK'])),
        # The agency options take the environment variables of the Terraform provider's assume_role block (agency.py).
        agency_domain_id=dict(type='str', fallback=(env_fallback, ['HW_ASSUME_ROLE_DOMAIN_ID'])),
        agency_domain_name=dict(type='str', fallback=(env_fallback, ['HW_ASSUME_ROLE_DOMAIN_NAME'])),
        agency_duration=dict(type='int', default=3600, fallback=(env_fallback, ['HW_ASSUME_ROLE_DURATION'])),
        agency_name=dict(type='str', fallback=(env_fallback, ['HW_ASSUME_ROLE_AGENCY_NAME'])),
        auth_token=dict(type='str', no_log=True, fallback=(env_fallback, ['HW_AUTH_TOKEN'])),
        ca_path=dict(type='path'),
        cloud=dict(type='str', default='myhuaweicloud.com', fallback=(env_fallback, ['HW_CLOUD'])),
        domain_name=dict(type='str', fallback=(env_fallback, ['HW_DOMAIN_NAME'])),
        endpoints=dict(type='dict'),
        max_requests_per_second=dict(type='float', fallback=(env_fallback, ['HW_MAX_REQUESTS_PER_SECOND'])),
        max_retries=dict(type='int', default=5, fallback=(env_fallback, ['HW_MAX_RETRIES'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, ['HW_USER_PASSWORD'])),
        project_id=dict(type='str', fallback=(env_fallback, ['HW_PROJECT_ID', 'HUAWEICLOUD_SDK_PROJECT_ID'])),
        region=dict(type='str', fallback=(env_fallback, ['HW_REGION_NAME'])),
        secret_key=dict(type='str', no_log=True, fallback=(env_fallback, ['HW_SECRET_KEY', 'HUAWEICLOUD_SDK_SK'])),
        security_token=dict(type='str', no_log=True,
                            fallback=(env_fallback, ['HW_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_SECURITY_TOKEN'])),
        timeout=dict(type='float', default=30.0),
        user_name=dict(type='str', fallback=(env_fallback, ['HW_USER_NAME'])),
        validate_certs=dict(type='bool', default=True),
    )


def instance_selection_spec():
    """``instance_id`` or ``instance_ids``: exactly one (see ``INSTANCE_SELECTION_KWARGS``)."""
    return dict(
        instance_id=dict(type='str'),
        instance_ids=dict(type='list', elements='str'),
    )


def concurrency_spec():
    """The bound on parallel requests, documented in the ``hwcloud.dbaudit.concurrency`` doc fragment."""
    return dict(concurrency=dict(type='int', default=8))


INSTANCE_SELECTION_KWARGS = dict(
    mutually_exclusive=[('instance_id', 'instance_ids')],
    required_one_of=[('instance_id', 'instance_ids')],
    supports_check_mode=True,
)
