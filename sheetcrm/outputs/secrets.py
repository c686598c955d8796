"""The 0600 rule for secrets written in sheetcrm.toml (the SMTP password, a webhook URL, a
Trello key and token): a config file that others can read may not hold one, since anyone
with an account on the machine could then send as us. The environment is the other way."""

from __future__ import annotations

import stat

from sheetcrm.config import Config
from sheetcrm.errors import ConfigError


def refuse_readable(config: Config, what: str, env: str) -> None:
    """ConfigError (exit 7) when ``config``'s file holds ``what`` but is not private."""
    if config.path is None:
        return
    mode = stat.S_IMODE(config.path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{config.path} holds {what} but others can read it (mode "
            f"{mode:04o}); chmod 600 it or use {env}"
        )
