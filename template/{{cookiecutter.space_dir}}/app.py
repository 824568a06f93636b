"""The MPEP translation Space: run with ``python app.py`` (locally or on Spaces)."""

from mpep_space.server import main

if __name__ == "__main__":
    main()
