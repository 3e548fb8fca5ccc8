"""Failed sign-ins are counted and, past a limit, refused for a while.

A password here unlocks a signing key, so guessing it is worth a lot: after
``limit`` failures for one account name within ``window`` seconds, further
attempts for that name are refused until the oldest failure leaves the window;
one client address gets a larger limit of its own (an office behind one NAT
address must not be locked out by one member's typos, but one address trying
many names is stopped). A refused attempt does not check the
password at all (no Argon2id work, nothing learned). Counts are kept in memory,
per process: with several gunicorn workers the bound is ``limit`` per worker,
still a bound; a restart forgets them.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

# A sweep of idle keys at this many tracked keys keeps memory bounded when many
# distinct names or addresses are tried.
SWEEP_AT = 10_000


class LoginThrottle:
    """Sliding-window counts of failed sign-ins per key (name or address)."""

    def __init__(
        self,
        limit: int = 5,
        window: float = 15 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window <= 0:
            msg = "login throttle needs limit >= 1 and a positive window"
            raise ValueError(msg)
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, keys: Iterable[str]) -> int:
        """Seconds until an attempt for these keys is allowed again; 0 if now."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.limit:
                    # The attempt is allowed once enough failures have aged out.
                    oldest_counted = times[len(times) - self.limit]
                    wait = max(wait, oldest_counted + self.window - now)
        return max(1, int(wait + 0.999)) if wait > 0 else 0

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= SWEEP_AT:
                for key in list(self._failures):
                    self._recent(key, now)
            for key in keys:
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, keys: Iterable[str]) -> None:
        """A correct password clears that account's count (not the address's)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


class SignInGuard:
    """The two counts a sign-in is judged by: its account name and its address."""

    def __init__(
        self,
        account_limit: int,
        address_limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.accounts = LoginThrottle(account_limit, window, clock)
        self.addresses = LoginThrottle(address_limit, window, clock)

    def retry_after(self, username: str, address: str | None) -> int:
        return max(
            self.accounts.retry_after([_name(username)]),
            self.addresses.retry_after([_address(address)]),
        )

    def failed(self, username: str, address: str | None) -> None:
        self.accounts.failed([_name(username)])
        self.addresses.failed([_address(address)])

    def succeeded(self, username: str) -> None:
        self.accounts.succeeded([_name(username)])


def _name(username: str) -> str:
    return username.strip().lower()


def _address(address: str | None) -> str:
    return address or "unknown"
