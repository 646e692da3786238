import type { ClientIdentity } from 'fabric-shim-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAdminIdentity, subjectOrganizationalUnits } from './admin-identity';
import { createIdentity } from './testing/identities';

/** Only what isAdminIdentity uses, answering from a real certificate. */
function identityOf(certPem: string, attrs: Record<string, string> = {}): ClientIdentity {
  return {
    assertAttributeValue: (name: string, value: string) => attrs[name] === value,
    getIDBytes: () => Buffer.from(certPem),
  } as unknown as ClientIdentity;
}

describe('admin identity', () => {
  let multiOu: string;
  beforeAll(async () => {
    multiOu = (await createIdentity('CN=Admin@org1, OU=org1, OU=admin, OU=department1')).certPem;
  });

  it('reads every OU of the subject', () => {
    expect(subjectOrganizationalUnits(Buffer.from(multiOu))).toEqual(['org1', 'admin', 'department1']);
    expect(isAdminIdentity(identityOf(multiOu))).toBe(true);
  });

  it('accepts the attribute alone and refuses neither', async () => {
    const client = (await createIdentity('CN=app, OU=client')).certPem;
    expect(isAdminIdentity(identityOf(client, { 'gx.role': 'admin' }))).toBe(true);
    expect(isAdminIdentity(identityOf(client, { 'gx.role': 'auditor' }))).toBe(false);
    expect(isAdminIdentity(identityOf(client))).toBe(false);
  });

  it('does not take an OU value that smuggles a line break, merely mentions admin, or a CN of "admin"', async () => {
    const lookalike = (await createIdentity([{ CN: ['admin'] }, { OU: ['x\nOU=admin'] }, { OU: ['admins'] }])).certPem;
    // Node escapes the control character, so the value stays on its own line.
    expect(subjectOrganizationalUnits(Buffer.from(lookalike))).toEqual(['x\\0AOU=admin', 'admins']);
    expect(isAdminIdentity(identityOf(lookalike))).toBe(false);
  });

  it('treats bytes that are not a certificate as no OUs', () => {
    expect(subjectOrganizationalUnits(Buffer.from('not a certificate'))).toEqual([]);
  });
});
