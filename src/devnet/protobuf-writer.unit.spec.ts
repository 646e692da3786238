import { peer } from '@hyperledger/fabric-protos';
import { expect, it } from 'vitest';
import { bytesField, encode, message, stringField, varintField } from './protobuf-writer.js';

function response(status: number, text: string, payload: Uint8Array): [Uint8Array, Uint8Array] {
  const reference = new peer.Response();
  reference.setStatus(status);
  reference.setMessage(text);
  reference.setPayload(payload);
  return [
    encode(message(varintField(1, status), stringField(2, text), bytesField(3, payload))),
    reference.serializeBinary(),
  ];
}

it('writes varints, strings and bytes as the fabric-protos classes do, defaults left out', () => {
  for (const [status, text, payload] of [
    [200, 'ok', Buffer.from('x')],
    [0, '', new Uint8Array()],
    [127, 'é', new Uint8Array(200).fill(1)],
    [128, '', Buffer.from('')],
    [2 ** 31 - 1, 'a'.repeat(300), new Uint8Array(20_000)],
    [-1, '', new Uint8Array()],
    [-500, 'negative int32', Buffer.from('y')],
  ] as Array<[number, string, Uint8Array]>) {
    const [ours, reference] = response(status, text, payload);
    expect(Buffer.from(ours).equals(reference)).toBe(true);
  }
});
