"""Templates compiled once per process, not once per app.

Every app a process makes (each gunicorn worker has one; the test suite makes about a
thousand) has its own Jinja environment, which parses and compiles each template it
renders. `COMPILED` keeps the compiled code in memory for all of them: Jinja checks each
template's source checksum before using it, so an edited template is compiled again, and
the key holds the environment's settings that change the code (`trim_blocks`, extensions).
"""

from __future__ import annotations

import threading

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache


class CompiledTemplates(BytecodeCache):
    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        settings = (
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.keep_trailing_newline,
            tuple(sorted(environment.extensions)),
        )
        key = f"{self.get_cache_key(name, filename)}:{settings!r}"
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        with self._lock:
            self._code.clear()


COMPILED = CompiledTemplates()
