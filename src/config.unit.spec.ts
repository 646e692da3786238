import { describe, expect, it } from 'vitest';
import { ConfigError, fabricIdentitySettings, loadConfig, refuseEmbeddedDatabase, requireSettings } from './config.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to the embedded database in the data folder', () => {
    const config = loadConfig({ GX_DATA_DIR: '/tmp/gx-data' });
    expect(config.database).toEqual({ kind: 'embedded', dataDir: '/tmp/gx-data/postgres', port: 54329, poolSize: 10 });
    expect(config.http.port).toBe(3000);
    expect(config.fabric.channel).toBe('gxchannel');
    expect(config.fabric.chaincode).toBe('gxtv3');
  });

  it('samples request lines in production unless told otherwise, and validates the request-log settings', () => {
    expect(loadConfig({}).http.requestLog).toEqual({ level: 'info', sampleRate: 1, slowMs: 1000 });
    expect(loadConfig({ NODE_ENV: 'production' }).http.requestLog.sampleRate).toBe(0.01);
    expect(
      loadConfig({ NODE_ENV: 'production', GX_REQUEST_LOG_SAMPLE_RATE: '1', GX_REQUEST_LOG_LEVEL: 'debug' }).http
        .requestLog,
    ).toEqual({ level: 'debug', sampleRate: 1, slowMs: 1000 });
    const error = configError(() => loadConfig({ GX_REQUEST_LOG_SAMPLE_RATE: '2', GX_REQUEST_LOG_LEVEL: 'loud' }));
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'GX_REQUEST_LOG_LEVEL',
      'GX_REQUEST_LOG_SAMPLE_RATE',
    ]);
  });

  it('uses DATABASE_URL when set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/gx', GX_DB_POOL_SIZE: '4' });
    expect(config.database).toEqual({ kind: 'url', connectionString: 'postgres://u:p@db:5432/gx', poolSize: 4 });
  });

  it('accepts discrete PG* settings, so a password with / and = needs no URL escaping', () => {
    const config = loadConfig({ PGHOST: 'db', PGPORT: '6432', PGUSER: 'gx', PGPASSWORD: 'a/b=c', PGDATABASE: 'gx' });
    expect(config.database).toEqual({
      kind: 'discrete',
      host: 'db',
      port: 6432,
      user: 'gx',
      password: 'a/b=c',
      database: 'gx',
      poolSize: 10,
    });
  });

  it('names every malformed variable at once', () => {
    const error = configError(() =>
      loadConfig({
        DATABASE_URL: 'mysql://x',
        GX_HTTP_PORT: 'eighty',
        GX_FABRIC_PEER_ENDPOINT: 'peer0 with spaces',
        GX_JWT_SECRET: 'short',
      }),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'DATABASE_URL',
      'GX_FABRIC_PEER_ENDPOINT',
      'GX_HTTP_PORT',
      'GX_JWT_SECRET',
    ]);
    expect(error.message).toContain('GX_JWT_SECRET: must be at least 32 characters');
    expect(error.message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  });

  it('parses lists and flags', () => {
    const config = loadConfig({ GX_CORS_ORIGINS: 'https://a.example, https://b.example,', GX_FABRIC_TLS: 'false' });
    expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.fabric.tls).toBe(false);
  });
});

describe('Fabric identities', () => {
  it('takes one certificate and key per role from discrete variables', () => {
    const { fabric } = loadConfig({
      GX_FABRIC_TRANSFER_CERT: '/secrets/transfer/cert.pem',
      GX_FABRIC_TRANSFER_KEY: '/secrets/transfer/key.pem',
      GX_FABRIC_SUPER_ADMIN_CERT: '/secrets/super-admin/cert.pem',
    });
    expect(fabric.identities.transfer).toEqual({
      cert: '/secrets/transfer/cert.pem',
      key: '/secrets/transfer/key.pem',
    });
    expect(fabric.identities.super_admin).toEqual({ cert: '/secrets/super-admin/cert.pem', key: undefined });
    expect(fabric.identities.reader).toEqual({ cert: undefined, key: undefined });
    expect(fabricIdentitySettings(fabric, ['reader', 'transfer'])).toEqual({
      GX_FABRIC_READER_CERT: undefined,
      GX_FABRIC_READER_KEY: undefined,
      GX_FABRIC_TRANSFER_CERT: '/secrets/transfer/cert.pem',
      GX_FABRIC_TRANSFER_KEY: '/secrets/transfer/key.pem',
    });
  });

  it('refuses the single client identity of earlier versions, naming its replacement', () => {
    const error = configError(() => loadConfig({ GX_FABRIC_CLIENT_CERT: '/x', GX_FABRIC_CLIENT_KEY: '/y' }));
    expect(error.issues).toEqual([
      {
        variable: 'GX_FABRIC_CLIENT_CERT',
        message: 'was replaced by one identity per role (GX_FABRIC_<ROLE>_CERT/KEY)',
      },
      {
        variable: 'GX_FABRIC_CLIENT_KEY',
        message: 'was replaced by one identity per role (GX_FABRIC_<ROLE>_CERT/KEY)',
      },
    ]);
  });
});

describe('requireSettings', () => {
  it('names each missing setting a role needs', () => {
    const error = configError(() =>
      requireSettings({ GX_FABRIC_PEER_ENDPOINT: 'peer:7051', GX_FABRIC_MSP_ID: undefined, GX_JWT_SECRET: '' }),
    );
    expect(error.issues).toEqual([
      { variable: 'GX_FABRIC_MSP_ID', message: 'is required for this role' },
      { variable: 'GX_JWT_SECRET', message: 'is required for this role' },
    ]);
  });

  it('passes when everything is present', () => {
    expect(() => requireSettings({ GX_FABRIC_MSP_ID: 'Org1MSP' })).not.toThrow();
  });
});

describe('refuseEmbeddedDatabase (issue 29)', () => {
  it('refuses the embedded server in production for every role, naming the variables', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    for (const role of ['dev', 'migrate', 'api', 'submitter', 'projector', 'verify']) {
      const error = (() => {
        try {
          refuseEmbeddedDatabase(config, role);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.variable)).toEqual(['DATABASE_URL']);
      expect((error as ConfigError).message).toMatch(/PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE/);
    }
  });

  it('refuses it for the long-running roles in any environment, and allows gx dev and its tools outside production', () => {
    const config = loadConfig({});
    for (const role of ['api', 'submitter', 'projector']) {
      expect(() => refuseEmbeddedDatabase(config, role)).toThrow(ConfigError);
    }
    for (const role of ['dev', 'migrate', 'verify']) expect(() => refuseEmbeddedDatabase(config, role)).not.toThrow();
  });

  it('lets every role use a configured server', () => {
    for (const env of [{ DATABASE_URL: 'postgres://db/gx' }, { PGHOST: 'db' }]) {
      const config = loadConfig({ NODE_ENV: 'production', ...env });
      expect(() => refuseEmbeddedDatabase(config, 'api')).not.toThrow();
    }
  });
});
