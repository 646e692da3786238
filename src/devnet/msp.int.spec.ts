import { createHash, createPrivateKey, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signers } from '@hyperledger/fabric-gateway';
import { msp } from '@hyperledger/fabric-protos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVNET_SUITE, externalLedger } from '../../test/support/ledger.js';
import { signLowS } from '../ledger/signer.js';
import { type DevnetIdentities, loadOrCreateIdentities } from './identities.js';
import { IdentityError, Membership } from './msp.js';

const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function serialized(mspId: string, certPem: string): Uint8Array {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(mspId);
  identity.setIdBytes(Buffer.from(certPem));
  return identity.serializeBinary();
}

/** Re-encodes a DER signature with S replaced by ORDER - S (the same signature's malleable twin). */
function flipS(der: Uint8Array): Uint8Array {
  const rLength = der[3] as number;
  const r = Buffer.from(der.subarray(2, 4 + rLength));
  const sAt = 4 + rLength;
  const s = BigInt(`0x${Buffer.from(der.subarray(sAt + 2, sAt + 2 + (der[sAt + 1] as number))).toString('hex')}`);
  let hex = (ORDER - s).toString(16).padStart(64, '0');
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const sBytes = Buffer.concat([Buffer.from([0x02, hex.length / 2]), Buffer.from(hex, 'hex')]);
  const body = Buffer.concat([r, sBytes]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

let folder: string;
let ids: DevnetIdentities;
let other: DevnetIdentities;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'gx-devnet-msp-'));
  ids = await loadOrCreateIdentities(path.join(folder, 'a'), 'GxMSP');
  other = await loadOrCreateIdentities(path.join(folder, 'b'), 'GxMSP');
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe.skipIf(externalLedger)(`identities ${DEVNET_SUITE}`, () => {
  it('are created once and reused', async () => {
    expect(await loadOrCreateIdentities(path.join(folder, 'a'), 'GxMSP')).toEqual(ids);
    expect(other.roles.registrar.certPem).not.toBe(ids.roles.registrar.certPem);
  });
});

describe.skipIf(externalLedger)(`Membership ${DEVNET_SUITE}`, () => {
  const message = Buffer.from('a proposal');

  it('accepts a member and its low-S signatures, from node:crypto or the gateway client signer', async () => {
    const membership = new Membership('GxMSP', ids.ca.certPem);
    const creator = membership.creator(serialized('GxMSP', ids.roles.registrar.certPem));
    const key = createPrivateKey(ids.roles.registrar.keyPem);
    expect(Membership.verifies(creator, message, signLowS(message, key))).toBe(true);
    const digest = createHash('sha256').update(message).digest();
    expect(Membership.verifies(creator, message, await signers.newPrivateKeySigner(key)(digest))).toBe(true);
  });

  it('refuses the high-S twin of a valid signature, as a Fabric MSP does', () => {
    const membership = new Membership('GxMSP', ids.ca.certPem);
    const creator = membership.creator(serialized('GxMSP', ids.roles.registrar.certPem));
    const low = signLowS(message, createPrivateKey(ids.roles.registrar.keyPem));
    const high = flipS(low);
    expect(Membership.verifies(creator, message, high)).toBe(false);
    // The twin is a valid ECDSA signature all the same: only the low-S rule refuses it.
    expect(verify('sha256', message, creator.publicKey, high)).toBe(true);
  });

  it('refuses another MSP id, a certificate from another CA, and signatures by someone else', () => {
    const membership = new Membership('GxMSP', ids.ca.certPem);
    expect(() => membership.creator(serialized('Org2MSP', ids.roles.registrar.certPem))).toThrow(IdentityError);
    expect(() => membership.creator(serialized('GxMSP', other.roles.registrar.certPem))).toThrow(
      'creator certificate was not issued by the MSP CA',
    );
    const creator = membership.creator(serialized('GxMSP', ids.roles.registrar.certPem));
    expect(
      Membership.verifies(creator, message, sign('sha256', message, createPrivateKey(ids.roles.super_admin.keyPem))),
    ).toBe(false);
  });
});
