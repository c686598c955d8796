"""``python -m sheetcrm``: the same command line as the ``sheetcrm`` script."""

from sheetcrm.cli import main

if __name__ == "__main__":
    main()
