import { describe, expect, it } from 'vitest';
import { EndorsementPolicyError, isSatisfied, parseEndorsementPolicy } from './endorsement-policy.js';

const orgs = ['GxMSP', 'Org2MSP', 'Org3MSP'];
const satisfiedBy = (text: string, endorsers: string[]) =>
  isSatisfied(parseEndorsementPolicy(text, orgs), new Set(endorsers));

describe('endorsement policies', () => {
  it('MAJORITY: more than half of the organizations (2 of 3; both of 2)', () => {
    expect(satisfiedBy('MAJORITY', ['GxMSP'])).toBe(false);
    expect(satisfiedBy('MAJORITY', ['GxMSP', 'Org3MSP'])).toBe(true);
    const two = parseEndorsementPolicy('MAJORITY', ['GxMSP', 'Org2MSP']);
    expect(isSatisfied(two, new Set(['GxMSP']))).toBe(false);
    expect(isSatisfied(two, new Set(['GxMSP', 'Org2MSP']))).toBe(true);
  });

  it('ANY and ALL', () => {
    expect(satisfiedBy('ANY', ['Org2MSP'])).toBe(true);
    expect(satisfiedBy('ALL', ['GxMSP', 'Org2MSP'])).toBe(false);
    expect(satisfiedBy('all', orgs)).toBe(true);
  });

  it("AND, OR and OutOf in Fabric's syntax, nested, roles ignored", () => {
    expect(satisfiedBy("AND('GxMSP.peer','Org2MSP.peer')", ['GxMSP'])).toBe(false);
    expect(satisfiedBy("AND('GxMSP.peer', 'Org2MSP.member')", ['GxMSP', 'Org2MSP'])).toBe(true);
    expect(satisfiedBy("OR('GxMSP.peer','Org2MSP.peer')", ['Org2MSP'])).toBe(true);
    expect(satisfiedBy("OR('GxMSP.peer','Org2MSP.peer')", ['Org3MSP'])).toBe(false);
    const nested = "OutOf(2, 'GxMSP.peer', AND('Org2MSP.peer', 'Org3MSP.peer'), 'Org3MSP.peer')";
    expect(satisfiedBy(nested, ['GxMSP', 'Org2MSP'])).toBe(false);
    expect(satisfiedBy(nested, ['GxMSP', 'Org3MSP'])).toBe(true);
    expect(satisfiedBy(nested, ['Org2MSP', 'Org3MSP'])).toBe(true);
  });

  it('refuses what it cannot use, saying what is wrong', () => {
    const refused = (text: string) => () => parseEndorsementPolicy(text, orgs);
    expect(refused("AND('Org9MSP.peer')")).toThrow(/'Org9MSP' is not an organization of this network/);
    expect(refused("XOR('GxMSP.peer')")).toThrow(/unknown operator 'XOR'/);
    expect(refused("OutOf(3, 'GxMSP.peer', 'Org2MSP.peer')")).toThrow(/OutOf\(3, …\) has only 2 rules/);
    expect(refused("OutOf(0, 'GxMSP.peer')")).toThrow(/at least 1/);
    expect(refused("AND('GxMSP.peer'")).toThrow(EndorsementPolicyError);
    expect(refused("OR('GxMSP.peer') extra")).toThrow(/unexpected text after the policy/);
  });
});
