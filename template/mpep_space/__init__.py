"""The runtime of a generated MPEP translation Space.

Copied verbatim into every Space by ``generate-space``; the collector imports
the same modules (events, rules, qa) so there is one definition of each.
This package must not import ``generator``.
"""

# The Gradio release this runtime is written and tested against: the Space's requirements.txt
# and README front matter pin it (rendered from here), and pyproject's `space` extra and the
# templates' cookiecutter.json defaults repeat it (a test keeps them equal).
GRADIO_VERSION = "6.31.0"
