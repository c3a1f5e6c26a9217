"""The baseline of startup, shutdown and memory: the least an asyncio service can be.

`asyncio.run`, a SIGTERM handler, one `event=ready` line on stderr, then it waits for the
signal and returns. Run by the rendered project's own interpreter, in its own venv, so the
only difference from the service is the service.
"""

import asyncio
import signal
import sys


async def main() -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("event=ready", file=sys.stderr, flush=True)
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
