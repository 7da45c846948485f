"""A slow OpenAI-compatible chat model on loopback, for the load test (``make loadtest``).

It streams ``--tokens`` words at ``--rate`` words per second to every request at once, the way a real model
server paces its output, so the time an answer holds a web worker is realistic while costing no CPU.
Only what the tutor's chat calls use: ``POST /v1/chat/completions`` (streamed, with a usage chunk when
``stream_options.include_usage`` asks for one; ``max_tokens`` cuts the reply with finish reason ``length``).

    python -m tutor.quality.slow_model --port 8400 --tokens 60 --rate 20

aiohttp rather than a thread per request: hundreds of streams at once are the point.
"""

import argparse
import asyncio
import json
import time

from aiohttp import web

REPLY = (
    "Machine learning finds patterns in examples [1]. A model sees many labelled cases, adjusts itself to "
    "match them, and then guesses for new ones. Which example in the lesson shows that?"
)


def reply_words(count):
    """``count`` words of a plausible tutor reply, repeated as needed, each with its trailing space."""
    words = REPLY.split()
    return [f"{words[position % len(words)]} " for position in range(count)]


def chunk(model, delta, finish_reason=None, **extra):
    return {
        "id": "chatcmpl-loadtest",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        **extra,
    }


def make_app(tokens, rate):
    async def chat_completions(request):
        body = await request.json()
        model = body.get("model", "loadtest-model")
        words = reply_words(tokens)
        max_tokens = body.get("max_tokens")
        finish_reason = "stop"
        if max_tokens is not None and len(words) > max_tokens:
            words, finish_reason = words[:max_tokens], "length"
        prompt_tokens = sum(len(str(message.get("content", "")).split()) for message in body.get("messages", []))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)

        async def send(payload):
            await response.write(b"data: " + json.dumps(payload).encode() + b"\n\n")

        await send(chunk(model, {"role": "assistant", "content": ""}))
        for word in words:
            await asyncio.sleep(1 / rate)
            await send(chunk(model, {"content": word}))
        await send(chunk(model, {}, finish_reason))
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(words),
                "total_tokens": prompt_tokens + len(words),
            }
            await send({**chunk(model, {}), "choices": [], "usage": usage})
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat_completions)
    return app


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--tokens", type=int, default=60, help="words in every reply")
    parser.add_argument("--rate", type=float, default=20.0, help="words per second, per reply")
    args = parser.parse_args(argv)
    web.run_app(make_app(args.tokens, args.rate), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
