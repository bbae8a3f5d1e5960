"""``python -m medrep`` runs the ``medrep`` command."""

from medrep.cli import main

if __name__ == "__main__":
    main()
