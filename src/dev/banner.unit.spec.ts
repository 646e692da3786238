import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { adminLine } from './run-dev.js';

const secret = 'gx-a-dev-admin-secret';
const configFor = (env: 'development' | 'production' | 'test') =>
  loadConfig({ NODE_ENV: env, GX_ADMIN_EMAIL: 'admin@gx.local', GX_ADMIN_PASSWORD: secret });

describe('gx dev banner', () => {
  it('shows the admin password in development, where it is a dev secret', () => {
    expect(adminLine(configFor('development'))).toContain(secret);
  });

  it.each(['production', 'test'] as const)('never shows it with NODE_ENV=%s', (env) => {
    const line = adminLine(configFor(env));
    expect(line).toContain('admin@gx.local');
    expect(line).not.toContain(secret);
  });
});
