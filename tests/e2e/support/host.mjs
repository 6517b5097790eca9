// Starts the REAL Runnel host (build/host/runnel) for an end-to-end test, on a
// free port, in a temp dir with its own config and provisioning, and stops it.
//
//   const host = await startHost();   // waits until HTTP answers
//   host.url / host.wsUrl / host.port
//   await host.stop();                // SIGTERM, SIGKILL after 5 s; removes the temp dir
//   await host.restart();             // stop + start on the same port
//
// The build dir comes from RUNNEL_BUILD_DIR (default: ../../build from here,
// i.e. <repo>/build). Every host started here is also killed when the Node
// process exits, so a failing test leaves nothing running.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');
export const BUILD_DIR = resolve(process.env.RUNNEL_BUILD_DIR || join(REPO_ROOT, 'build'));
export const HOST_BINARY = join(BUILD_DIR, 'host', 'runnel');

const running = new Set(); // child processes to kill on exit
process.on('exit', () => {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

// A TCP port that was free a moment ago on 127.0.0.1.
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function configText({ port, dir, extra }) {
  return [
    '[server]',
    'http_addr = 127.0.0.1',
    `http_port = ${port}`,
    `root_url = http://127.0.0.1:${port}/`,
    `static_root_path = ${join(BUILD_DIR, 'host', 'web')}`,
    '',
    '[paths]',
    `plugins = ${join(BUILD_DIR, 'plugins')}`,
    `provisioning = ${join(dir, 'provisioning')}`,
    '',
    '[stream]',
    'grace_period = 1s',
    '',
    '[log]',
    'level = info',
    '',
    extra || '',
  ].join('\n');
}

const TESTDATA_DATASOURCE = `apiVersion: 1
datasources:
  - name: TestData
    type: testdata
    uid: testdata
    isDefault: true
    jsonData: {}
  - name: More TestData
    type: runnel-testdata-datasource
    uid: more-testdata
    jsonData: {}
`;

export class Host {
  constructor({ port, dir, extraConfig }) {
    this.port = port;
    this.dir = dir;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/api/live/ws`;
    this.logFile = join(dir, 'host.log');
    this.configFile = join(dir, 'runnel.ini');
    this.child = null;
    this.log = []; // stdout and stderr of every start, in order
    mkdirSync(join(dir, 'provisioning', 'datasources'), { recursive: true });
    writeFileSync(join(dir, 'provisioning', 'datasources', 'testdata.yaml'), TESTDATA_DATASOURCE);
    writeFileSync(this.configFile, configText({ port, dir, extra: extraConfig }));
  }

  async start({ timeoutMs = 30_000 } = {}) {
    if (!existsSync(HOST_BINARY)) {
      throw new Error(`host binary not found: ${HOST_BINARY} (build it, or set RUNNEL_BUILD_DIR)`);
    }
    const log = this.log;
    log.push(`--- runnel start ${new Date().toISOString()} ---\n`);
    const child = spawn(HOST_BINARY, ['--homepath', REPO_ROOT, '--config', this.configFile], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(child);
    const append = (chunk) => {
      log.push(chunk.toString());
      writeFileSync(this.logFile, log.join(''));
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    this.exited = new Promise((r) =>
      child.on('exit', (code, signal) => {
        running.delete(child);
        r({ code, signal });
      }),
    );
    const deadline = Date.now() + timeoutMs;
    let exitedEarly = null;
    this.exited.then((e) => {
      exitedEarly = e;
    });
    while (Date.now() < deadline) {
      if (exitedEarly) {
        throw new Error(
          `host exited during start-up (${JSON.stringify(exitedEarly)}):\n${this.logTail()}`,
        );
      }
      try {
        const response = await fetch(`${this.url}/api/live/list`);
        if (response.ok) return this;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`host did not answer on ${this.url} within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  // Stops the process (not the temp dir): SIGTERM, then SIGKILL after 5 s.
  async kill() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  async restart() {
    await this.kill();
    await this.start();
  }

  async stop() {
    try {
      await this.kill();
    } finally {
      if (!process.env.RUNNEL_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true });
    }
  }

  logTail(lines = 40) {
    const text = this.log.join('');
    return text.split('\n').slice(-lines).join('\n');
  }
}

// Starts a host on a free port in a new temp dir.
export async function startHost({ extraConfig } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'runnel-e2e-'));
  const host = new Host({ port: await freePort(), dir, extraConfig });
  try {
    await host.start();
  } catch (err) {
    await host.stop();
    throw err;
  }
  return host;
}
