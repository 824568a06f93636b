"""The MPEP dashboard Space: run with ``python app.py`` (locally or on Spaces)."""

from mpep_dashboard.ui import main

if __name__ == "__main__":
    main()
