import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, encodeFrame, listenFrames, probeListener, requestFrame } from './tcp-stream.js';

test('a frame split at any byte offset reads the same', () => {
  const frame = encodeFrame(Uint8Array.from({ length: 37 }, (_, i) => i));
  for (let cut = 0; cut <= frame.length; cut++) {
    const r = new FrameReader();
    const first = r.push(frame.subarray(0, cut));
    const got = first ?? r.push(frame.subarray(cut));
    assert.deepEqual([...(got ?? [])], Array.from({ length: 37 }, (_, i) => i), `cut at ${cut}`);
  }
});

test('a frame over the limit is refused from its length alone', () => {
  const r = new FrameReader(16);
  assert.throws(() => r.push(Uint8Array.of(0, 0, 0, 17)), { code: 'ERR_FRAME_TOO_LARGE' });
});

test('bytes after the one frame are refused', () => {
  assert.throws(() => new FrameReader().push(Uint8Array.of(0, 0, 0, 1, 9, 9)), { code: 'ERR_FRAME_TRAILING' });
});

test('a request frame gets its answer over loopback, and an unanswered one is an error', async () => {
  const server = await listenFrames({ ip: '127.0.0.1', port: 0, timeoutMs: 1000 }, (request) =>
    request[0] === 0 ? undefined : Uint8Array.from([...request].reverse()));
  try {
    const answer = await requestFrame(server.local, Uint8Array.of(1, 2, 3), { timeoutMs: 1000 });
    assert.deepEqual([...answer], [3, 2, 1]);
    await assert.rejects(requestFrame(server.local, Uint8Array.of(0), { timeoutMs: 1000 }), { code: 'ERR_STREAM_CLOSED' });
  } finally {
    await server.close();
  }
});

test('a listener check says listening for a bound port and refused for a closed one, over loopback', async () => {
  const server = await listenFrames({ ip: '127.0.0.1', port: 0, timeoutMs: 1000 }, () => undefined);
  const port = server.local.port;
  try {
    assert.equal(await probeListener({ ip: '127.0.0.1', port }, 1000), 'listening');
  } finally {
    await server.close();
  }
  assert.equal(await probeListener({ ip: '127.0.0.1', port }, 1000), 'refused');
});
