import { describe, expect, it } from 'vitest';
import { errorCodeOf, errorCodes, gxError } from './errors';

describe('gxError / errorCodeOf', () => {
  it('puts the code first, where errorCodeOf finds it again', () => {
    for (const code of errorCodes) {
      const error = gxError(code, 'details');
      expect(error.message).toBe(`${code}: details`);
      expect(errorCodeOf(error.message)).toBe(code);
    }
  });

  it('finds the code inside the messages a Fabric gateway wraps around it', () => {
    expect(errorCodeOf('chaincode response 500, GX_INSUFFICIENT_FUNDS: "MY ..." holds 5, cannot send 10')).toBe(
      'GX_INSUFFICIENT_FUNDS',
    );
    expect(
      errorCodeOf('2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, GX_NOT_FOUND: user'),
    ).toBe('GX_NOT_FOUND');
  });

  it('ignores unknown GX_ words and messages without a code', () => {
    expect(errorCodeOf('GX_SOMETHING_ELSE: no')).toBeUndefined();
    expect(errorCodeOf('14 UNAVAILABLE: connection refused')).toBeUndefined();
    expect(errorCodeOf("You've asked to invoke a function that does not exist: Mint")).toBeUndefined();
  });
});
