"""``python -m sheetcrm``: the same command line as the ``sheetcrm`` script."""

from sheetcrm.cli import main

main()
