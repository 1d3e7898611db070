"""Dead ends in the Markdown pages: every relative link [text](target) or [text](target#anchor) must exist, and so
must every repository path a page names in code (`tests/...`, `plugins/...`), from the repository's root or the
page's folder. Run by tests/tools/docs.sh (`make docs`); tests/unit/test_markdown_links.py shows what it finds.

Usage: python tests/tools/markdown_links.py [ROOT]   (exit 1 and one line per dead end when any)"""

import glob
import os
import re
import sys

LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')
FENCE = re.compile(r'^\s*(```|~~~)')
# A path in code such as `tests/support/hostile_server.py` or `plugins/module_utils/transport/`; a placeholder such as
# <name> or a glob is no path, and a trailing :: names a test inside the file.
REPOSITORY_PATH = re.compile(r'`((?:tests|plugins|docs|roles|changelogs|meta|examples|\.ci)/[^`\s<>*{}]*)`')


def pages(root):
    """The Markdown pages a reader follows: the READMEs and every guide."""
    found = ['README.md', 'tests/simulator/README.md'] + sorted(
        os.path.relpath(path, root) for path in glob.glob(os.path.join(root, 'roles', '*', 'README.md')))
    guides = glob.glob(os.path.join(root, 'docs', '**', '*.md'), recursive=True)
    found += sorted(os.path.relpath(path, root) for path in guides)
    return [page for page in found if os.path.exists(os.path.join(root, page))]


def slug(heading):
    """GitHub's anchor of a heading."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return text.replace(' ', '-')


def anchors(path):
    found, counts, in_fence = set(), {}, False
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            if FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and line.startswith('#'):
                base = slug(line.lstrip('#'))
                found.add(base if base not in counts else '%s-%d' % (base, counts[base]))
                counts[base] = counts.get(base, 0) + 1
    return found


def check(root, names):
    """One line per dead end in the pages ``names`` (paths relative to ``root``)."""
    errors = []
    for page in names:
        in_fence = False
        with open(os.path.join(root, page), encoding='utf-8') as handle:
            for number, line in enumerate(handle, 1):
                if FENCE.match(line):
                    in_fence = not in_fence
                    continue
                if in_fence:
                    continue
                for named in REPOSITORY_PATH.findall(line):
                    path = named.split('::')[0].rstrip('.,;:')
                    if not any(os.path.exists(os.path.join(root, base, path)) for base in ('', os.path.dirname(page))):
                        errors.append('%s:%d: `%s`: no such file or folder in the repository' % (page, number, named))
                for target in LINK.findall(re.sub(r'`[^`]*`', '', line)):
                    if re.match(r'^[a-z][a-z0-9+.-]*:', target):
                        continue  # http:, https:, mailto:
                    path, _sep, anchor = target.partition('#')
                    resolved = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
                    if not os.path.exists(os.path.join(root, resolved)):
                        errors.append('%s:%d: %s: no such file %s' % (page, number, target, resolved))
                    elif anchor and resolved.endswith('.md') and anchor not in anchors(os.path.join(root, resolved)):
                        errors.append('%s:%d: %s: no heading #%s in %s' % (page, number, target, anchor, resolved))
    return errors


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = os.path.abspath(argv[0] if argv else os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    names = pages(root)
    errors = check(root, names)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print('docs: %d broken link(s) or path(s)' % len(errors), file=sys.stderr)
        return 1
    print('docs: %d pages, links and repository paths resolve' % len(names))
    return 0


if __name__ == '__main__':
    sys.exit(main())
