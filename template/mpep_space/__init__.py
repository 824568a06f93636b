"""The runtime of a generated MPEP translation Space.

Copied verbatim into every Space by ``generate-space``; the collector imports
the same modules (events, rules, qa) so there is one definition of each.
This package must not import ``generator``.
"""
