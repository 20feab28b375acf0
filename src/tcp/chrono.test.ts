import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chrono } from './chrono.js';

test('tcp_chrono: a more interesting condition takes over, and busy time counts them all', () => {
  const ch = new Chrono();
  ch.start('busy', 0);
  ch.start('sndbuf', 10); // limited by the send buffer from 10 µs
  ch.start('rwnd', 15); // ranks below sndbuf: no change
  ch.stop('rwnd', 20, false); // not the condition being timed: no change
  ch.stop('sndbuf', 30, false); // back to busy while data is queued
  ch.stop('busy', 45, true); // nothing queued or in flight: idle
  ch.flush(100);
  assert.equal(ch.busyUs, 25);
  assert.equal(ch.sndbufLimitedUs, 20);
  assert.equal(ch.rwndLimitedUs, 0);
  assert.equal(ch.busyTimeUs, 45);
});

test('tcp_chrono: the receive window limit ends in busy, or idle once the queues are empty', () => {
  const ch = new Chrono();
  ch.start('busy', 0);
  ch.start('rwnd', 5);
  ch.stop('rwnd', 12, false);
  ch.start('rwnd', 20);
  ch.stop('rwnd', 26, true);
  ch.flush(40);
  assert.equal(ch.rwndLimitedUs, 13);
  assert.equal(ch.busyUs, 13);
  assert.equal(ch.busyTimeUs, 26);
});
