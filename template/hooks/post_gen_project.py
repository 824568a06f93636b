"""Copy the runtime packages into the rendered project.

The one mechanism by which a Space and the dashboard get their code: the packages
named in ``_runtime_packages`` are copied, unrendered, from beside the template
(``_runtime_dir``, relative to the template's folder), so plain ``cookiecutter
template`` renders a runnable Space just as ``generate-space`` does.
"""

import shutil
import sys
from pathlib import Path

# This file is a template too: cookiecutter renders these as JSON, which is a valid Python
# literal for strings and lists of strings (so ruff and mypy skip this folder).
TEMPLATE_DIR = Path({{ cookiecutter._repo_dir | jsonify }})
RUNTIME_DIR = TEMPLATE_DIR / {{ cookiecutter._runtime_dir | jsonify }}
PACKAGES = {{ cookiecutter._runtime_packages | jsonify }}
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def main() -> int:
    for name in PACKAGES:
        source = RUNTIME_DIR / name
        if not (source / "__init__.py").is_file():
            print(
                f"Error: the runtime package {name!r} is missing from {RUNTIME_DIR}",
                file=sys.stderr,
            )
            return 1
        # dirs_exist_ok: `cookiecutter -f` re-renders over an earlier project.
        shutil.copytree(source, Path.cwd() / name, ignore=IGNORE, dirs_exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
