/**
 * Chaincode endorsement policies as a Fabric channel states them, over devnet's organizations: the implicit
 * `MAJORITY` (Fabric's default `/Channel/Application/Endorsement`), `ANY`, `ALL`, or a signature policy in
 * Fabric's syntax, `AND('Org1MSP.peer','Org2MSP.peer')`, `OR(…)`, `OutOf(2, …)`, nested at will.
 *
 * Only organizations count: a principal's role (`.peer`, `.member`, …) is accepted and ignored, because every
 * devnet endorsement comes from an organization's one peer.
 */

/** A policy tree: a member organization, or at least `n` of the sub-policies. */
export type EndorsementPolicy =
  | { kind: 'member'; mspId: string }
  | { kind: 'outOf'; n: number; rules: readonly EndorsementPolicy[] };

/** The default of a Fabric channel: a majority of the application organizations. */
export const DEFAULT_ENDORSEMENT_POLICY = 'MAJORITY';

/** A policy text devnet cannot use; the message says what is wrong and where. */
export class EndorsementPolicyError extends Error {
  constructor(text: string, reason: string) {
    super(`endorsement policy "${text}": ${reason}`);
    this.name = 'EndorsementPolicyError';
  }
}

/** Parses `text` over the channel's peer organizations (`organizations`, devnet's ones in order). */
export function parseEndorsementPolicy(text: string, organizations: readonly string[]): EndorsementPolicy {
  const members = organizations.map((mspId): EndorsementPolicy => ({ kind: 'member', mspId }));
  const trimmed = text.trim();
  switch (trimmed.toUpperCase()) {
    case 'MAJORITY':
      return { kind: 'outOf', n: Math.floor(organizations.length / 2) + 1, rules: members };
    case 'ANY':
      return { kind: 'outOf', n: 1, rules: members };
    case 'ALL':
      return { kind: 'outOf', n: organizations.length, rules: members };
  }
  const parser = new PolicyParser(trimmed, new Set(organizations));
  const policy = parser.rule();
  parser.end();
  return policy;
}

/** Whether endorsements by the organizations in `endorsers` satisfy `policy` (each counted once per rule). */
export function isSatisfied(policy: EndorsementPolicy, endorsers: ReadonlySet<string>): boolean {
  if (policy.kind === 'member') return endorsers.has(policy.mspId);
  let satisfied = 0;
  for (const rule of policy.rules) if (isSatisfied(rule, endorsers)) satisfied++;
  return satisfied >= policy.n;
}

/** A recursive-descent parser of Fabric's signature-policy syntax. */
class PolicyParser {
  #at = 0;

  constructor(
    private readonly text: string,
    private readonly organizations: ReadonlySet<string>,
  ) {}

  rule(): EndorsementPolicy {
    this.#skipSpace();
    if (this.text[this.#at] === "'" || this.text[this.#at] === '"') return this.#principal();
    const name = this.#word();
    this.#expect('(');
    let n: number | undefined;
    if (name.toLowerCase() === 'outof') {
      const count = Number(this.#word());
      if (!Number.isInteger(count) || count < 1) this.#fail('OutOf needs a whole number of at least 1 first');
      n = count;
      this.#expect(',');
    } else if (name !== 'AND' && name !== 'OR') {
      this.#fail(`unknown operator '${name}' (AND, OR, OutOf)`);
    }
    const rules = [this.rule()];
    while (this.#peek() === ',') {
      this.#at++;
      rules.push(this.rule());
    }
    this.#expect(')');
    if (n !== undefined && n > rules.length) this.#fail(`OutOf(${n}, …) has only ${rules.length} rules`);
    return { kind: 'outOf', n: n ?? (name === 'AND' ? rules.length : 1), rules };
  }

  end(): void {
    this.#skipSpace();
    if (this.#at !== this.text.length) this.#fail('unexpected text after the policy');
  }

  #principal(): EndorsementPolicy {
    const quote = this.text[this.#at];
    const close = this.text.indexOf(quote ?? "'", this.#at + 1);
    if (close < 0) this.#fail('unterminated principal');
    const principal = this.text.slice(this.#at + 1, close);
    this.#at = close + 1;
    const mspId = principal.includes('.') ? principal.slice(0, principal.lastIndexOf('.')) : principal;
    if (!this.organizations.has(mspId)) {
      this.#fail(`'${mspId}' is not an organization of this network (${[...this.organizations].join(', ')})`);
    }
    return { kind: 'member', mspId };
  }

  #word(): string {
    this.#skipSpace();
    const match = /^[A-Za-z0-9_]+/.exec(this.text.slice(this.#at));
    if (!match) this.#fail(`expected a word at position ${this.#at}`);
    this.#at += match[0].length;
    return match[0];
  }

  #expect(char: string): void {
    if (this.#peek() !== char) this.#fail(`expected '${char}' at position ${this.#at}`);
    this.#at++;
  }

  #peek(): string | undefined {
    this.#skipSpace();
    return this.text[this.#at];
  }

  #skipSpace(): void {
    while (this.#at < this.text.length && /\s/.test(this.text[this.#at] ?? '')) this.#at++;
  }

  #fail(reason: string): never {
    throw new EndorsementPolicyError(this.text, reason);
  }
}
