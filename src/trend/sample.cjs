// leaklint memory sampler, loaded with `node -r` (leaklint trend --sample injects it through
// NODE_OPTIONS). Every LEAKLINT_SAMPLE_INTERVAL_MS milliseconds it appends one JSON line to
// LEAKLINT_SAMPLE_FILE:
//   {"time":<ms since epoch>,"pid":N,"rss":B,"heapTotal":B,"heapUsed":B,"external":B,
//    "arrayBuffers":B,"requests":N}
// (bytes from process.memoryUsage(); requests counts the 'request' events of every http/https
// server in the process, so `leaklint trend` can give a leak rate per 1,000 requests).
// It writes synchronously so that a crash or process.exit() loses at most the current interval,
// and its timer is unref'd so that it never keeps the process alive.
'use strict';
const fs = require('fs');
const http = require('http');

const file = process.env.LEAKLINT_SAMPLE_FILE;
const interval = Number(process.env.LEAKLINT_SAMPLE_INTERVAL_MS || 1000);
if (file && interval > 0) {
  // Children started by the sampled process (workers, npm scripts) must not write into the same
  // file: only the first process samples.
  delete process.env.LEAKLINT_SAMPLE_FILE;
  let requests = 0;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, ...args) {
    if (event === 'request') requests += 1;
    return emit.call(this, event, ...args);
  };
  // `trend` refuses two samples at the same millisecond (rows must have their own time): the
  // sample at 'exit' can land in the same millisecond as the last timer tick, so it is skipped.
  let last = -Infinity;
  const sample = () => {
    const now = Date.now();
    if (now <= last) return;
    last = now;
    const m = process.memoryUsage();
    const line = JSON.stringify({
      time: now,
      pid: process.pid,
      rss: m.rss,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      requests,
    });
    try {
      fs.appendFileSync(file, line + '\n');
    } catch (e) {
      process.stderr.write(`leaklint sampler: cannot write ${file}: ${e.message}\n`);
      clearInterval(timer);
    }
  };
  const timer = setInterval(sample, interval);
  timer.unref();
  sample();
  process.on('exit', sample);
}
