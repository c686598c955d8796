"""Record IDs: time-ordered, collision-resistant, made without reading the sheet first."""

from __future__ import annotations

import random
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SYSRANDOM = random.SystemRandom()


_last = [0, 0]  # (ms, random) of the previous ID made by this process
_lock = threading.Lock()


def new_id(prefix: str, *, rng: random.Random | None = None, now: float | None = None) -> str:
    """A time-ordered, collision-resistant ID such as ``C-01JD3X8K2M7QF4TZ``.

    48 bits of milliseconds (10 Crockford base-32 characters, so IDs sort by creation
    time) and 30 random bits (6 characters). Within one process IDs are strictly
    increasing (in the same millisecond the random part counts up, as ULIDs do), so a bulk
    import never collides with itself; two machines in the same millisecond collide with
    probability ~1e-9, and nothing needs to read the sheet first.
    """
    ms = int((time.time() if now is None else now) * 1000)
    bits = (rng or _SYSRANDOM).getrandbits(30)
    if rng is None and now is None:
        with _lock:
            if ms <= _last[0]:
                ms, bits = _last[0], _last[1] + 1
                if bits >= 1 << 30:
                    ms, bits = ms + 1, 0
            _last[:] = [ms, bits]
    chars = [_CROCKFORD[(ms >> (5 * i)) & 31] for i in reversed(range(10))]
    chars += [_CROCKFORD[(bits >> (5 * i)) & 31] for i in reversed(range(6))]
    return f"{prefix}-{''.join(chars)}"
