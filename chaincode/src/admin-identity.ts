import { X509Certificate } from 'node:crypto';
import type { ClientIdentity } from 'fabric-shim-api';

/** Fabric CA attribute (enrol with `--id.attrs 'gx.role=admin:ecert'`) that marks an admin. */
export const adminAttribute = { name: 'gx.role', value: 'admin' } as const;
/** Organisational unit that NodeOUs (cryptogen, or a CA with NodeOUs enabled) give admin certificates. */
export const adminOrganizationalUnit = 'admin';

/**
 * Whether the caller is a GX admin. Two styles are accepted because networks differ: a Fabric CA enrolment
 * carrying the attribute `gx.role=admin`, or an MSP admin certificate whose subject has `OU=admin`
 * (cryptogen and NodeOUs-enabled CAs issue those, and they carry no attributes).
 */
export function isAdminIdentity(identity: ClientIdentity): boolean {
  if (identity.assertAttributeValue(adminAttribute.name, adminAttribute.value)) return true;
  return subjectOrganizationalUnits(identity.getIDBytes()).includes(adminOrganizationalUnit);
}

/** The OU values of a PEM (or DER) certificate's subject; none if it does not parse. */
export function subjectOrganizationalUnits(certificate: Uint8Array): string[] {
  let subject: string;
  try {
    subject = new X509Certificate(Buffer.from(certificate)).subject;
  } catch {
    return [];
  }
  // Node prints one attribute per line and escapes control characters inside values, so a value cannot
  // smuggle in a line of its own.
  return subject
    .split('\n')
    .filter((line) => line.startsWith('OU='))
    .map((line) => line.slice(3));
}
