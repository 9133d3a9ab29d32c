"""What keeps the desk's web app from editing the wrong thing, or on someone else's behalf.

- **Host**: it answers only requests addressed to the local address it listens on; a
  page elsewhere that rebinds its own name to 127.0.0.1 (DNS rebinding) gets a refusal.
- **Token**: every state-changing request (POST; no action is a GET) carries this
  session's random token from a form the desk served; a request without it, or from a
  page of another origin, is refused. The token lives as long as the process.
- **Stale files**: each item is shown with its file's digest; an action names the digests
  it was decided on, and is refused, with nothing written, if any file changed on disk
  since (the editor's own edit, a pull, another desk tab).
"""

from __future__ import annotations

import hmac
import os
import secrets
from urllib.parse import urlsplit

from eminence_model.store import file_hash


class Refused(Exception):
    """A request the desk will not act on; the message says why and what to do."""


class Guard:
    def __init__(self):
        self.token = secrets.token_urlsafe(32)
        self.hosts: set[str] = set()  # host:port the desk answers to, set once it listens

    def listen_on(self, port: int) -> None:
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    def check_host(self, host: str) -> None:
        if host not in self.hosts:
            served = sorted(self.hosts)[0] if self.hosts else "127.0.0.1"
            raise Refused(f"This desk answers only at http://{served}/ (the request was for "
                          f"'{host}'). Open that address.")

    def check_post(self, form_token: str | None, origin: str | None) -> None:
        if not form_token or not hmac.compare_digest(form_token, self.token):
            raise Refused("The form's desk token is missing or from an earlier desk session: "
                          "nothing was changed. Reload the page and decide again.")
        if origin and origin.split("://", 1)[-1] not in self.hosts:
            raise Refused(f"The request came from another site ({origin}): nothing was changed.")

    @staticmethod
    def desk_page(url: str | None) -> bool:
        """A back/next address the desk may redirect to: a path on this desk, never another
        host (`//host`, and `/\\host`, which browsers read as `//host`)."""
        if not url:
            return True
        parts = urlsplit(url)
        return url.startswith("/") and not parts.scheme and not parts.netloc and "\\" not in url \
            and not url.startswith("//")

    @staticmethod
    def check_fresh(shown: dict[str, str]) -> None:
        """shown: {absolute path: digest as the desk showed it}."""
        from eminence_model.validate import display_path

        gone = [path for path in shown if not os.path.exists(path)]
        if gone:
            raise Refused(", ".join(display_path(p) for p in gone)
                          + " no longer exists (deleted or rejected since the desk showed it): "
                          "nothing was changed.")
        changed = [path for path, digest in shown.items() if file_hash(path) != digest]
        if changed:
            raise Refused(", ".join(display_path(p) for p in changed)
                          + " changed on disk since the desk showed it (an edit, a pull or another "
                          "desk tab): nothing was changed. It is shown again as it is now; decide again.")
