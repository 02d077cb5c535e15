"""The heap asyncio alone holds: imported, its loop running this one task, collected."""

import probe  # noqa: I001  (first: the heap baseline)

import asyncio

asyncio.run(probe.serve_forever())
