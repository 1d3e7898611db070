# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Sphinx configuration of the generated plugin reference (tests/tools/docs.sh, ``make docs``).

Started from ``antsibull-docs sphinx-init``; changed so that the build works offline and stays strict:

* no intersphinx (it downloads inventories from the internet, which CI cannot reach);
* the few targets of the Ansible documentation that antsibull-docs links to from every plugin page
  (``common_return_values``, ``ansible_configuration_settings`` and ``ANSIBLE_*`` environment variables) become
  plain links to docs.ansible.com. Every other unresolved reference stays a warning, and the build turns
  warnings into errors (``sphinx-build -W -n``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from docutils import nodes

project = 'hwcloud.dbaudit'
copyright = 'hwcloud.dbaudit contributors'  # pylint: disable=redefined-builtin

title = 'hwcloud.dbaudit plugin reference'
html_short_title = 'hwcloud.dbaudit'
html_title = title

extensions = ['sphinx_antsibull_ext']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = 'any'
nitpicky = True

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/latest/'
EXTERNAL_LABELS = {
    'common_return_values': ANSIBLE_DOCS + 'reference_appendices/common_return_values.html',
    'ansible_configuration_settings': ANSIBLE_DOCS + 'reference_appendices/config.html',
}


def _external_uri(node):
    target = node.get('reftarget', '')
    if node.get('reftype') == 'ref' and target in EXTERNAL_LABELS:
        return EXTERNAL_LABELS[target]
    if node.get('reftype') == 'envvar' and target.startswith('ANSIBLE_'):
        return ANSIBLE_DOCS + 'reference_appendices/config.html#envvar-' + target
    return None


def _resolve_ansible_docs(app, env, node, contnode):  # pylint: disable=unused-argument
    uri = _external_uri(node)
    if uri is None:
        return None
    reference = nodes.reference('', '', internal=False, refuri=uri)
    reference += contnode if node.get('reftype') == 'envvar' or node.get('refexplicit') else nodes.Text(
        node['reftarget'])
    return reference


def setup(app):
    app.connect('missing-reference', _resolve_ansible_docs)
