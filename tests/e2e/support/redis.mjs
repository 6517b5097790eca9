// A real redis-server for an end-to-end test: on a free loopback port, in a
// temp dir, persisting nothing; stopped (and its dir removed) by stop(), and
// killed when the Node process exits, so a failing test leaves nothing.
//
//   const redis = await startRedis();   // waits until it answers PING
//   redis.address                       // "127.0.0.1:<port>"
//   await redis.command('PUBSUB', 'NUMSUB', 'x')   // redis-cli's output
//   await redis.stop();
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, sleep } from './host.mjs';

const running = new Set();
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

export class Redis {
  constructor(port, dir) {
    this.port = port;
    this.dir = dir;
    this.address = `127.0.0.1:${port}`;
    this.child = null;
  }

  // redis-cli's plain output for one command ('' if it cannot connect).
  command(...args) {
    return new Promise((resolve) => {
      execFile('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], (err, stdout) =>
        resolve(err ? '' : stdout.trim()),
      );
    });
  }

  async start(timeoutMs = 10_000) {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    args.push('--save', '', '--appendonly', 'no');
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    running.add(this.child);
    this.exited = new Promise((r) =>
      this.child.on('exit', () => {
        running.delete(this.child);
        r();
      }),
    );
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.command('PING')) === 'PONG') return this;
      await sleep(50);
    }
    throw new Error(`redis-server did not answer on ${this.address}`);
  }

  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startRedis() {
  const redis = new Redis(await freePort(), mkdtempSync(join(tmpdir(), 'runnel-redis-')));
  try {
    await redis.start();
  } catch (err) {
    await redis.stop();
    throw err;
  }
  return redis;
}
