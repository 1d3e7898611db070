# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one rule for the label of an account x region target: the ``name`` of an entry of the inventory's
``accounts`` and of the role's ``audit_compliance_targets``.

A label is what users call the account or project (``prod-eu``, ``finance_cn``): 1 to 64 ASCII letters, digits,
``_`` and ``-``, starting with a letter or digit. It is shown as is (the ``account`` of findings, the
``<prefix>account`` host variable); in the inventory it names the group ``account_<label>`` with ``-`` mapped to
``_`` (a safe group name, unchanged by Ansible's group name sanitising). Two labels that map to the same group
(``prod-eu`` and ``prod_eu``, or that differ only in case) are refused as the same label.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

LABEL = re.compile(r'[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z')
LABEL_RULE = 'a label of 1 to 64 ASCII letters, digits, _ and -, starting with a letter or digit'
GROUP_PREFIX = 'account_'


def is_label(value):
    return isinstance(value, str) and LABEL.match(value) is not None


def group_name(label):
    """The inventory group of the hosts of ``label``: ``account_<label>`` with ``-`` mapped to ``_``."""
    return GROUP_PREFIX + label.replace('-', '_')


def label_key(label):
    """What two labels must not share: their group name, without case."""
    return group_name(label).lower()
