/**
 * The trust chapter of `gx demo` (docs/trust.md): alice asks bob to confirm that they are siblings, bob
 * confirms, and both trust scores rise from the base 10 to 25, as the ledger computed them in the confirming
 * transaction. Public HTTP API only, like the rest of the story.
 */
import type { CommandOutcome } from './api-client.js';
import type { DemoUser } from './demo-story.js';

export interface TrustScoreView {
  score: number;
  breakdown: { base: number; family: number; business: number; friends: number };
}

export interface DemoTrustResult {
  relationshipId: string;
  before: { alice: TrustScoreView; bob: TrustScoreView };
  after: { alice: TrustScoreView; bob: TrustScoreView };
}

function projected(outcome: CommandOutcome, what: string): void {
  if (outcome.outcome !== 'projected') throw new Error(`${what} failed: ${outcome.command.error ?? 'no reason given'}`);
}

export async function runTrustStory(
  alice: DemoUser,
  bob: DemoUser,
  log: (line: string) => void,
): Promise<DemoTrustResult> {
  const scores = async () => ({
    alice: await alice.client.get<TrustScoreView>('/api/v1/users/me/trust'),
    bob: await bob.client.get<TrustScoreView>('/api/v1/users/me/trust'),
  });
  const before = await scores();
  log(`trust scores: alice ${before.alice.score}, bob ${before.bob.score}`);

  const requested = await alice.client.post<{ commandId: string; relationshipId: string }>('/api/v1/relationships', {
    toFabricUserId: bob.fabricUserId,
    type: 'SIBLING',
  });
  projected(await alice.client.waitForCommand(requested.commandId), 'relationship request');
  log(`alice asks bob to confirm they are siblings: relationship ${requested.relationshipId}`);

  const confirmed = await bob.client.post<{ commandId: string }>(
    `/api/v1/relationships/${requested.relationshipId}/confirm`,
  );
  projected(await bob.client.waitForCommand(confirmed.commandId), 'relationship confirmation');
  const after = await scores();
  log(
    `bob confirms: trust scores alice ${after.alice.score}, bob ${after.bob.score} ` +
      `(family ${after.alice.breakdown.family} on top of the base ${after.alice.breakdown.base})`,
  );
  if (after.alice.score <= before.alice.score || after.bob.score <= before.bob.score) {
    throw new Error('the confirmed relationship did not raise both trust scores');
  }
  return { relationshipId: requested.relationshipId, before, after };
}
